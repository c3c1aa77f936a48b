"""Column-name rules that fill the rows of every category but C01 and C18."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sandbox.cinema_catalog import (
    CARD_TYPES,
    CHANNELS,
    COUPONS,
    DISCOUNTS,
    GOODS,
    PAY_TOOLS,
    REGION,
    REGION_CODE,
    STAFF,
    Goods,
    Screening,
)
from sandbox.cinema_tickets import clock, money


@dataclass
class RowContext:
    """What one generated row is about; rules read their cell from it."""

    rng: random.Random
    business_date: date
    time: str
    cinema_name: str
    cinema_code: str
    serial: str
    refund: bool
    goods: Goods
    screening: Screening
    card: tuple[str, str, str, str]
    card_no: str
    coupon: tuple[str, str, str, int]
    staff: tuple[str, str]
    channel: tuple[str, str, bool]
    pay: tuple[str, str]
    amount: int


Rule = Callable[[RowContext], str]


def _amount(ctx: RowContext) -> str:
    return money(-ctx.amount if ctx.refund else ctx.amount)


def _count(ctx: RowContext) -> str:
    value = 1 + ctx.rng.randrange(0, 3)

    return str(-value if ctx.refund else value)


def _discount_info(ctx: RowContext) -> str:
    return ctx.rng.choice(DISCOUNTS)[0] if ctx.rng.random() < 0.1 else ""


def _phone(ctx: RowContext) -> str:
    rng = ctx.rng

    return f"1{rng.choice('3578')}{rng.randrange(10)}****{rng.randrange(10**4):04d}"


def _digits(width: int) -> Rule:
    return lambda ctx: f"{ctx.rng.randrange(0, 10**width):0{width}d}"


def _const(value: str) -> Rule:
    return lambda ctx: value


def _time_column(ctx: RowContext) -> str:
    return ctx.time


def _date_column(ctx: RowContext) -> str:
    return ctx.business_date.isoformat()


def _goods_rule(name: str) -> Rule | None:
    table: dict[str, Rule] = {
        "套餐内容": lambda ctx: ctx.goods.combo_content,
        "套餐别名": lambda ctx: ctx.goods.name if ctx.goods.combo_content else "",
        "单位": lambda ctx: ctx.goods.unit,
        "计量单位": lambda ctx: ctx.goods.unit,
        "大类": lambda ctx: ctx.goods.category,
        "大类名称": lambda ctx: ctx.goods.category,
        "一级分类": lambda ctx: "卖品",
        "一级大类": lambda ctx: "卖品",
        "二级分类": lambda ctx: ctx.goods.category,
        "三级分类": lambda ctx: ctx.goods.name,
        "大类编码": lambda ctx: ctx.goods.category_code,
        "商品类型": lambda ctx: "套餐" if ctx.goods.combo_content else "单品",
    }
    if name in table:
        return table[name]
    if name.endswith(("卖品名称", "货品名称", "商品名称", "商品信息")):
        return lambda ctx: ctx.goods.name
    if name.endswith(("卖品编码", "货品编码", "商品编码", "套餐编码")):
        return lambda ctx: ctx.goods.code

    return None


def _screening_rule(name: str) -> Rule | None:
    table: dict[str, Rule] = {
        "影厅": lambda ctx: ctx.screening.hall.name,
        "影厅编码": lambda ctx: ctx.screening.hall.code,
        "场次号": lambda ctx: ctx.screening.screening_no,
        "放映时间": lambda ctx: ctx.screening.start,
        "放映日期": lambda ctx: ctx.screening.date_text,
        "影片国别": lambda ctx: ctx.screening.film.country,
        "影片语言": lambda ctx: ctx.screening.film.language,
        "影片类型": lambda ctx: ctx.screening.film.version,
        "票价": lambda ctx: money(ctx.screening.price),
    }

    return table.get(name)


def _party_rule(name: str) -> Rule | None:
    if "卡号" in name:
        return lambda ctx: ctx.card_no
    if "卡类型编码" in name:
        return lambda ctx: ctx.card[1]
    if "卡类型" in name:
        return lambda ctx: ctx.card[0]
    if "卡政策编码" in name or name == "卡政策ID":
        return lambda ctx: ctx.card[3]
    if "卡政策" in name:
        return lambda ctx: ctx.card[2]
    if "券模版名称" in name or "券模板名称" in name or name == "优惠券名称":
        return lambda ctx: ctx.coupon[0]
    if "券模版编码" in name or "券模板编码" in name or name == "优惠券编码":
        return lambda ctx: ctx.coupon[1]
    if name in ("券类型", "优惠类型"):
        return lambda ctx: ctx.coupon[2]
    if name == "券类型编码":
        return lambda ctx: ctx.coupon[1][:2]
    if "券面值" in name or "基础售价" in name:
        return lambda ctx: money(ctx.coupon[3] * 100)
    if "工号" in name or name == "操作员编码":
        return lambda ctx: ctx.staff[1]
    if name.endswith(("操作员", "销售员", "取货员", "取票员")):
        return lambda ctx: ctx.staff[0]
    if name.endswith("渠道编码"):
        return lambda ctx: ctx.channel[1]
    if "渠道" in name:
        return lambda ctx: ctx.channel[0]
    if name.endswith("支付工具编码"):
        return lambda ctx: ctx.pay[1]
    if name == "支付工具" or name.endswith("支付工具"):
        return lambda ctx: ctx.pay[0]

    return None


def _place_rule(name: str) -> Rule | None:
    if "区域编码" in name:
        return _const(REGION_CODE)
    if "区域" in name:
        return _const(REGION)
    if name.endswith(("影院名称", "影城名称")) or name in ("影院", "流向客户名称"):
        return lambda ctx: ctx.cinema_name
    if name.endswith(("影院编码", "影城编码", "国家编码", "八位编码")):
        return lambda ctx: ctx.cinema_code
    if name.endswith(("工作站", "工作站名称", "销售地点", "库存扣减地点")):
        return _const("卖品柜台1")

    return None


def _number_rule(name: str) -> Rule | None:
    if name == "手机号":
        return _phone
    if "订单" in name or "流水号" in name or "单号" in name:
        return lambda ctx: ctx.serial
    if name in ("会员ID", "会员账号", "来源ID", "活动ID", "券ID"):
        return _digits(10)
    if name in ("券码", "优惠券码") or "批次" in name:
        return _digits(12)
    if name.endswith(("编码", "代码", "条形码")):
        return _digits(8)
    if name.endswith(("率", "比")):
        return lambda ctx: f"{ctx.rng.randrange(0, 10000) / 100:.2f}"
    if name == "优惠信息":
        return _discount_info
    if name.startswith("是否"):
        return lambda ctx: ctx.rng.choice(("是", "否"))
    if any(word in name for word in ("金额", "价", "费", "余额", "成本", "面值")):
        return _amount
    if any(word in name for word in ("数量", "票数", "张数", "场次数", "卡数")):
        return _count

    return None


def _text_rule(name: str) -> Rule:
    table: dict[str, str] = {
        "销售类型": "售出",
        "类型": "充值",
        "出入库类型": "采购入库",
        "核销类型": "挂账核销",
        "核销状态": "已核销",
        "卡状态": "正常",
        "取货状态": "已取货",
        "发行方": "影院",
        "发券方式": "线下发放",
        "券自定义分类": "观影券",
        "自定义券分类": "观影券",
        "补贴方": "",
        "活动名称": "",
        "活动类型": "",
        "仓库编码": "WH01",
        "采购协议名称": "年度饮料采购协议",
        "流向客户": "",
        "单位": "份",
    }
    value = table.get(name, "")

    return _const(value)


def column_rule(name: str, time_column: str) -> Rule:
    """The rule that fills column ``name``; ``time_column`` gets the row time."""
    if name == time_column:
        return _date_column if name == "放映日期" else _time_column
    if name == "销售类型":
        return lambda ctx: "退货" if ctx.refund else "售出"
    if "手续费" in name and "支付工具" not in name:
        return lambda ctx: money(200 if ctx.refund else 0)
    screening = _screening_rule(name)
    if screening is not None:
        return screening
    if name.endswith("时间"):
        return _time_column
    if name.endswith("有效期"):
        return _const("2027-12-31")
    if name.endswith("日期"):
        return _date_column
    for make in (_goods_rule, _party_rule, _place_rule, _number_rule):
        rule = make(name)
        if rule is not None:
            return rule

    return _text_rule(name)


def context_maker(
    rng: random.Random,
    business_date: date,
    cinema: tuple[str, str],
    screenings: list[Screening],
) -> Callable[[int, int], RowContext]:
    """Return a factory of row contexts for ``(serial, second)`` pairs."""
    stamp = business_date.strftime("%y%m%d")

    def make(serial: int, second: int) -> RowContext:
        goods = rng.choice(GOODS)
        return RowContext(
            rng=rng,
            business_date=business_date,
            time=clock(business_date, second),
            cinema_name=cinema[0],
            cinema_code=cinema[1],
            serial=f"{stamp}{serial:07d}{rng.randrange(10, 100)}",
            refund=rng.random() < 0.03,
            goods=goods,
            screening=rng.choice(screenings),
            card=rng.choice(CARD_TYPES),
            card_no=f"{rng.randrange(0, 10**12):012d}",
            coupon=rng.choice(COUPONS),
            staff=rng.choice(STAFF),
            channel=rng.choice(CHANNELS),
            pay=rng.choice(PAY_TOOLS[:5]),
            amount=goods.price * 100 * (1 + rng.randrange(0, 3)),
        )

    return make
