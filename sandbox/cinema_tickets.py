"""Screenings (C18) and ticket orders (C01) of the synthetic cinema."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

from sandbox.cinema_catalog import (
    CARD_TYPES,
    CHANNELS,
    COUPONS,
    DISCOUNTS,
    FILMS,
    HALLS,
    PAY_TOOLS,
    REGION,
    REGION_CODE,
    STAFF,
    TICKET_CLASSES,
    Screening,
    stable_rng,
)

DAY_SECONDS = 86_400
BUSINESS_START = 6 * 3600
_MONEY: dict[int, str] = {}
T = TypeVar("T")
HMS = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


def clock(business_date: date, seconds: int) -> str:
    """Format ``seconds`` after midnight of ``business_date`` (may pass 24 h)."""
    day = business_date + timedelta(days=seconds // DAY_SECONDS)

    return f"{day.isoformat()} {HMS[seconds % DAY_SECONDS]}"


def money(cents: int) -> str:
    """Render an amount in cents as yuan with two decimals (``-5.00``)."""
    text = _MONEY.get(cents)
    if text is None:
        sign = "-" if cents < 0 else ""
        text = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        if len(_MONEY) < 100_000:
            _MONEY[cents] = text

    return text


def _seconds_of(stamp: str) -> int:
    """Seconds after midnight of a ``YYYY-MM-DD HH:MM:SS`` stamp's clock time."""
    return int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])


def plan_screenings(seed: int, lease_code: str, business_date: date) -> list[Screening]:
    """Plan the screenings of one business day, hall by hall, 09:00 to midnight."""
    rng = stable_rng(seed, lease_code, "slate", business_date.isocalendar()[:2])
    showing = rng.sample(FILMS, 6)
    rng = stable_rng(seed, lease_code, "screenings", business_date)
    screenings: list[Screening] = []
    stamp = business_date.strftime("%Y%m%d")

    for hall_index, hall in enumerate(HALLS, start=1):
        start = 9 * 3600 + rng.randrange(0, 90) * 60
        number = 1
        while start <= 23 * 3600 + 30 * 60:
            film = rng.choice(showing)
            price = (film.base_price + hall.surcharge) * 100
            screenings.append(
                Screening(
                    film=film,
                    hall=hall,
                    business_date=business_date,
                    start=clock(business_date, start),
                    screening_no=f"{stamp}{hall_index:02d}{number:02d}",
                    price=price,
                    date_text=business_date.isoformat(),
                )
            )
            start += (film.minutes + 15 + rng.randrange(0, 4) * 5) * 60
            start -= start % 300
            number += 1

    return screenings


def screening_rows(
    cinema_name: str, screenings: list[Screening], rng: random.Random
) -> list[list[str]]:
    """C18 rows: one per screening, with plausible sales figures."""
    rows: list[list[str]] = []
    for screening in sorted(screenings, key=lambda item: item.start):
        film, hall = screening.film, screening.hall
        local = rng.randrange(0, hall.seats // 3 + 1)
        online = rng.randrange(0, hall.seats // 2 + 1)
        refunds = rng.randrange(0, 3)
        viewers = local + online
        gross = viewers * screening.price
        service = viewers * 300
        online_fee = online * 250
        rows.append(
            [
                cinema_name,
                film.name,
                film.alias,
                film.country,
                hall.name,
                hall.hall_type,
                screening.date_text,
                screening.start,
                "1",
                money(gross),
                str(viewers),
                money(gross // viewers if viewers else 0),
                money(service),
                money(online_fee),
                money(gross + service + online_fee),
                money(local * screening.price),
                str(local),
                money(-refunds * 4500),
                str(refunds),
                money(online * screening.price),
                str(online),
                money(0),
                "0",
                str(refunds),
                money(-refunds * 4500),
                "0",
                money(0),
                str(hall.seats),
                f"{100 * viewers / hall.seats:.2f}%",
                film.code,
                film.language,
                film.version,
                screening.screening_no,
                "33011001",
                REGION,
                money(0),
                hall.fund_code,
                str(film.minutes),
            ]
        )

    return rows


def ticket_rows(
    seed: int,
    lease_code: str,
    cinema: tuple[str, str],
    business_date: date,
    count: int,
    schedule: dict[date, list[Screening]],
) -> list[list[str]]:
    """C01 rows: ``count`` tickets sold during the business day.

    Args:
        seed: The cinema's seed.
        lease_code: The tenant code.
        cinema: ``(name, code)`` of the cinema.
        business_date: The business day of the sales.
        count: How many rows to make.
        schedule: Screenings of ``business_date`` and the two days after it.

    Returns:
        Rows in the C01 column order, sorted by sale time.
    """
    rng = stable_rng(seed, lease_code, "C01", business_date)
    rand = rng.random
    name, code = cinema
    today = [(item, _seconds_of(item.start)) for item in schedule[business_date]]
    presales = [schedule[day] for day in sorted(schedule)[1:]]
    stamp = business_date.strftime("%y%m%d")
    first_day = business_date.isoformat()
    second_day = (business_date + timedelta(days=1)).isoformat()
    rows: list[tuple[int, list[str]]] = []

    def pick(options: Sequence[T]) -> T:
        return options[int(rand() * len(options))]

    def below(limit: int) -> int:
        return int(rand() * limit)

    for serial in range(count):
        second = BUSINESS_START + below(DAY_SECONDS)
        if second < 22 * 3600 and rand() < 0.8:
            screening, latest = pick(today)
            second = BUSINESS_START + int((latest - 600 - BUSINESS_START) * rand())
        else:
            screening = pick(pick(presales))
        sold_at = (
            f"{first_day} {HMS[second]}"
            if second < DAY_SECONDS
            else f"{second_day} {HMS[second - DAY_SECONDS]}"
        )
        film, hall = screening.film, screening.hall
        refund = rand() < 0.02
        sign = -1 if refund else 1
        order_no = f"{stamp}{serial:07d}{10 + below(90)}"

        channel, channel_code, online = pick(CHANNELS)
        pay_tool, pay_code = pick(PAY_TOOLS)
        staff, staff_no = ("", "") if online else pick(STAFF)
        ticket_class = pick(TICKET_CLASSES)
        price = screening.price - (1000 if ticket_class != "成人票" else 0)
        service = 300
        online_fee = 250 if online else 0
        discount_info, discount = pick(DISCOUNTS) if rand() < 0.05 else ("", 0)
        paid = price + service + online_fee - discount * 100
        third_order = f"TP{order_no}" if online else ""
        printed = sold_at if not online else ""

        card_no = card_name = card_type = card_cinema_code = card_cinema = ""
        member_id = phone = ""
        if pay_code == "MEMBER_CARD":
            card_type, _, card_name, _ = pick(CARD_TYPES)
            card_no = f"{below(10**12):012d}"
            card_cinema_code, card_cinema = code, name
        coupon_name = coupon_code = coupon_template = coupon_id = ""
        coupon_cinema_code = coupon_cinema = ""
        if pay_code == "COUPON":
            coupon_name, coupon_template, _, _ = pick(COUPONS)
            coupon_code = f"{below(10**12):012d}"
            coupon_id = str(10**8 + below(9 * 10**8))
            coupon_cinema_code, coupon_cinema = code, name
        if card_no or online or rand() < 0.3:
            member_id = str(10**9 + below(9 * 10**9))
            phone = f"1{pick('3578')}{below(10)}****{below(10**4):04d}"
        activity_code, activity_name, activity_type, subsidy = "", "", "", ""
        if rand() < 0.04:
            activity_code, activity_name = "A2026", '"周末"观影节'
            activity_type, subsidy = "票补", "影院"

        row = [
            name,
            code,
            "退票" if refund else "售票",
            sold_at,
            str(sign),
            money(sign * price),
            money(sign * service),
            money(sign * online_fee),
            money(sign * paid),
            pay_tool,
            pay_code,
            "25.00",
            subsidy,
            discount_info,
            money(sign * discount * 100),
            "",
            "0.00",
            activity_code,
            activity_name,
            channel,
            channel_code,
            staff,
            f"{order_no}{below(10)}",
            film.name,
            hall.name,
            screening.date_text,
            screening.start,
            f"{1 + below(14)}排{1 + below(24)}座",
            ticket_class,
            order_no,
            f"R{order_no}" if refund else "",
            third_order,
            REGION,
            printed,
            coupon_name,
            channel_code if refund else "",
            channel if refund else "",
            card_no,
            coupon_code,
            staff_no if printed else "",
            "1",
            hall.code,
            film.code,
            coupon_template,
            card_name,
            REGION_CODE,
            staff_no,
            staff,
            member_id,
            phone,
            screening.screening_no,
            f"M{order_no}",
            f"{pay_code}{order_no}" if pay_code != "CASH" else "",
            film.country,
            film.language,
            hall.hall_type,
            "0.00",
            card_type,
            activity_type,
            "是" if activity_type else "否",
            card_cinema_code,
            card_cinema,
            coupon_cinema_code,
            coupon_cinema,
            "2.00" if refund else "0.00",
            "美团" if channel_code == "MAOYAN" else "",
            coupon_id,
        ]
        rows.append((second, row))

    rows.sort(key=lambda item: item[0])

    return [row for _, row in rows]
