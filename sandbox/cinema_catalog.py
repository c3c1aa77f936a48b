"""Fixed catalogue of the synthetic cinema: films, halls, goods, cards, coupons."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

COLUMNS_FILE = Path(__file__).with_name("yuekeyun_columns.json")


@dataclass(frozen=True)
class Category:
    """One Yuekeyun data category as the sandbox serves it."""

    code: str
    title: str
    status: str
    time_column: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Film:
    """A film of the slate."""

    name: str
    alias: str
    country: str
    language: str
    version: str
    code: str
    minutes: int
    base_price: int


@dataclass(frozen=True)
class Hall:
    """A screening room."""

    name: str
    code: str
    hall_type: str
    seats: int
    fund_code: str
    surcharge: int


@dataclass(frozen=True)
class Goods:
    """A concession item, simple or a combo."""

    name: str
    code: str
    category: str
    category_code: str
    unit: str
    price: int
    combo_content: str


@dataclass(frozen=True)
class Screening:
    """One planned screening; C01 tickets refer to these."""

    film: Film
    hall: Hall
    business_date: date
    start: str
    screening_no: str
    price: int
    date_text: str


@cache
def categories() -> dict[str, Category]:
    """Load the category column lists shipped with the sandbox."""
    raw: dict[str, dict[str, Any]] = json.loads(COLUMNS_FILE.read_text("utf-8"))

    return {
        code: Category(
            code=code,
            title=entry["title"],
            status=entry["status"],
            time_column=entry["time_column"],
            columns=tuple(entry["columns"]),
        )
        for code, entry in raw.items()
    }


def stable_rng(*parts: object) -> random.Random:
    """A random generator seeded by a stable hash of ``parts``."""
    text = "|".join(str(part) for part in parts)
    digest = hashlib.sha256(text.encode("utf-8")).digest()

    return random.Random(int.from_bytes(digest[:8], "big"))


FILMS: tuple[Film, ...] = (
    Film(
        "长空之翼",
        "Wings of the Sky",
        "中国大陆",
        "国语",
        "2D",
        "001101542026",
        128,
        45,
    ),
    Film(
        "星河入梦", "Dreaming Galaxy", "中国大陆", "国语", "3D", "001103362026", 116, 50
    ),
    Film(
        "喆喆的夏天", "Zhe's Summer", "中国大陆", "国语", "2D", "001102112026", 98, 40
    ),
    Film(
        "深海迷踪",
        "Deep Blue Trace",
        "美国",
        "英语",
        "IMAX 3D",
        "051200872026",
        142,
        60,
    ),
    Film("镕金岁月", "Molten Years", "中国香港", "粤语", "2D", "001201092026", 109, 40),
    Film(
        "山海奇缘",
        "Mountains and Seas",
        "中国大陆",
        "国语",
        "3D",
        "001104402026",
        95,
        42,
    ),
    Film("堃与昇", "Kun and Sheng", "中国台湾", "国语", "2D", "001301022026", 121, 45),
    Film(
        "雪国列车长", "Snow Line Captain", "日本", "日语", "2D", "051300452026", 104, 45
    ),
    Film("熊猫特工队", "Panda Squad", "中国大陆", "国语", "2D", "001105772026", 88, 35),
    Film(
        "末日边境",
        "Edge of Ending",
        "美国",
        "英语",
        "杜比视界",
        "051201332026",
        135,
        55,
    ),
)

HALLS: tuple[Hall, ...] = (
    Hall("1号厅", "0000000000000001", "普通厅", 142, "33051231", 0),
    Hall("2号厅", "0000000000000002", "普通厅", 118, "33051232", 0),
    Hall("3号厅", "0000000000000003", "普通厅", 96, "33051233", 0),
    Hall("4号厅", "0000000000000004", "普通厅", 96, "33051234", 0),
    Hall("5号厅（情侣座）", "0000000000000005", "普通厅", 64, "33051235", 5),
    Hall("IMAX厅", "0000000000000006", "IMAX厅", 386, "33051236", 15),
    Hall("杜比影院", "0000000000000007", "杜比全景声厅", 212, "33051237", 10),
    Hall("VIP厅", "0000000000000008", "VIP厅", 24, "33051238", 40),
)

GOODS: tuple[Goods, ...] = (
    Goods("爆米花（大）", "2000001", "爆米花", "10", "桶", 32, ""),
    Goods("爆米花（中）", "2000002", "爆米花", "10", "桶", 26, ""),
    Goods("焦糖爆米花", "2000003", "爆米花", "10", "桶", 35, ""),
    Goods("可乐（大）", "2000011", "饮料", "20", "杯", 15, ""),
    Goods("可乐（中）", "2000012", "饮料", "20", "杯", 12, ""),
    Goods("橙汁", "2000013", "饮料", "20", "杯", 18, ""),
    Goods("矿泉水", "2000014", "饮料", "20", "瓶", 6, ""),
    Goods("鸡米花", "2000021", "小食", "30", "份", 22, ""),
    Goods("热狗", "2000022", "小食", "30", "个", 16, ""),
    Goods("薯片", "2000023", "小食", "30", "包", 10, ""),
    Goods(
        "双人套餐", "3000001", "套餐", "90", "套", 58, "爆米花（大）×1\r\n可乐（中）×2"
    ),
    Goods(
        "单人套餐", "3000002", "套餐", "90", "套", 36, "爆米花（中）×1, 可乐（中）×1"
    ),
    Goods(
        "家庭欢乐套餐",
        "3000003",
        "套餐",
        "90",
        "套",
        88,
        '爆米花（大）×2\n"惊喜"玩偶×1\n#加料 焦糖',
    ),
    Goods("喆喆联名杯", "4000001", "周边", "40", "个", 49, ""),
)

PAY_TOOLS: tuple[tuple[str, str], ...] = (
    ("微信支付", "WXPAY"),
    ("支付宝", "ALIPAY"),
    ("会员卡", "MEMBER_CARD"),
    ("现金", "CASH"),
    ("银联", "UNIONPAY"),
    ("优惠券", "COUPON"),
)

CHANNELS: tuple[tuple[str, str, bool], ...] = (
    ("影院售票窗口", "POS", False),
    ("自助售票机", "SELF", False),
    ("影院小程序", "MINIAPP", False),
    ("猫眼电影", "MAOYAN", True),
    ("淘票票", "TAOPIAOPIAO", True),
)

STAFF: tuple[tuple[str, str], ...] = (
    ("张伟", "1001"),
    ("李娜", "1002"),
    ("王芳", "1003"),
    ("刘洋", "1004"),
    ("陈珺", "1005"),
    ("赵磊", "1006"),
)

CARD_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("储值卡", "01", "金卡政策", "P001"),
    ("储值卡", "01", "银卡政策", "P002"),
    ("权益卡", "02", "年度观影权益", "P101"),
    ("计次卡", "03", "十次观影卡", "P201"),
)

COUPONS: tuple[tuple[str, str, str, int], ...] = (
    ("2D通兑券", "T1001", "兑换券", 35),
    ("3D通兑券", "T1002", "兑换券", 45),
    ("满2张,减5元", "T2001", "代金券", 5),
    ('"周末"观影代金券', "T2002", "代金券", 10),
    ("卖品立减券", "T3001", "卖品券", 8),
)

TICKET_CLASSES: tuple[str, ...] = (
    "成人票",
    "成人票",
    "成人票",
    "学生票",
    "会员票",
    "儿童票",
)
DISCOUNTS: tuple[tuple[str, int], ...] = (
    ("满2张,减5元", 5),
    ("会员日立减10元", 10),
    ("新用户首单立减3元", 3),
)
REGION = "浙江省杭州市"
REGION_CODE = "330100"
OPENING_DATE = date(2024, 1, 1)
