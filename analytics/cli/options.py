"""The command line's option values, checked as argparse reads them, and its own error."""

import argparse
import codecs
import re

from .transactions import parse_date

MAX_LOST_DAYS = 3650  # 10 years; dates stay in the range the engine computes with
MAX_MARGIN_RATIO = 1.0  # a margin is at most the whole amount, a loss at most as much again
CURRENCY_PATTERN = re.compile(r'[^"\\\x00-\x1f]{1,10}')  # quoted into the workbook's number format


class CommandError(Exception):
    """A bad option or output path; the message says where and what to do."""


def date(text):
    """A day written YYYY-MM-DD."""
    try:
        return parse_date(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def margin_ratio(text):
    """A margin ratio from -1 to 1."""
    try:
        ratio = float(text)
    except ValueError:
        ratio = None
    if ratio is None or not -MAX_MARGIN_RATIO <= ratio <= MAX_MARGIN_RATIO:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a margin ratio: give one between -1 and 1, such as 0.3 for 30 %"
        )
    return ratio


def lost_days(text):
    """A number of days from 1 to ``MAX_LOST_DAYS``."""
    try:
        days = int(text)
    except ValueError:
        days = None
    if days is None or not 1 <= days <= MAX_LOST_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to {MAX_LOST_DAYS}")
    return days


def currency(text):
    """A currency code or sign that fits in the workbook's number format."""
    text = text.strip()
    if text and not CURRENCY_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a currency: give a code or sign of at most 10 characters, without quotes, e.g. EUR"
        )
    return text


def encoding(text):
    """The canonical name of a text encoding."""
    try:
        b"\x00\x00\x00\x00".decode(text)  # empty bytes would skip the lookup
    except UnicodeDecodeError:
        return codecs.lookup(text).name  # a text encoding, that these four bytes do not fit
    except LookupError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a text encoding, such as utf-8, cp1251 or gb18030") from None
    return codecs.lookup(text).name
