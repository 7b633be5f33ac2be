"""Read a CSV file of transactions into the engine's orders frame.

What is read, exactly (readme/DEVELOP.md, "The CSV command", says the same):

- **Encoding**: UTF-8, with or without a byte order mark, or UTF-16 with a
  byte order mark; any other encoding only when named (``encoding=``, the
  command's ``--encoding``). Nothing is guessed: a byte that is not UTF-8 is
  refused with its line; when the file reads as Western European text saved
  in Windows-1252 (Latin-1), the message says so and shows the word as it
  reads then. A spreadsheet workbook (``.xlsx``, ``.xls``, ``.ods``) is refused
  as such: it must be saved as CSV first.
- **Layout**: comma-separated, ``"`` quotes (``""`` inside quotes), a header
  line naming the columns ``customer``, ``date``, ``amount`` and optionally
  ``margin`` (margin amount) and ``salesperson``, in any order, any case,
  spaces around them ignored; other columns are ignored. Every line holds as
  many values as the header; blank lines are skipped.
- **Values**: ``date`` written ``YYYY-MM-DD`` between :data:`FIRST_DATE` and
  :data:`LAST_DATE`; ``amount`` and ``margin`` plain numbers with a dot for
  decimals (``-12.5``, ``1e3``), no thousands separator, at most
  :data:`MAX_AMOUNT` in size; ``customer`` not empty.
- **Orders and refunds**: a row whose amount is 0 or more is an order, as
  Odoo counts a confirmed order of 0 (a free delivery, a sample; the
  published CDNOW figures count such purchases too). A row below 0 is a
  refund, not an order: its amount and margin are added to the same
  customer's latest order on or before its date (the last one in the file
  among orders of one day), lowering that order's revenue and margin; it
  neither counts as an order nor keeps the customer active. A refund with no
  earlier order of its customer is refused.
- **Margins**: from the ``margin`` column, else ``amount x margin_ratio``,
  else unknown (NaN): the caller leaves the figures made of margins empty.

Every refusal is a :class:`TransactionsError` whose message names the file,
the line and the column, and says what to do.
"""

import codecs
import csv
import datetime
import re
import zipfile

import numpy as np
import pandas as pd

REQUIRED = ("customer", "date", "amount")
OPTIONAL = ("margin", "salesperson")
REPEATED = ("customer", "date", "salesperson")  # columns whose values recur from row to row
# Excel shows no date before 1900; the engine's day arithmetic holds
# nanosecond timestamps (up to 2262), with room left after the last date for
# the lost threshold and the next expected order.
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2199, 12, 31)
# Larger amounts lose their cents in floating point, and a file would need
# 10**293 rows of them for a sum to overflow.
MAX_AMOUNT = 1e15  # in the file's currency
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMBER_PATTERN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODINGS_READ = "UTF-8, or UTF-16 with a byte order mark"
# the first bytes of a spreadsheet file given in place of its CSV
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx and .ods are ZIP archives
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, Excel 97-2003
# A Western European name holds an accented letter or two among plain ones ("Müller",
# "Façade"); text of another alphabet read as Windows-1252 gives whole words of them.
MAX_ACCENTED_RUN = 3  # characters
NUMBER_HINT = "write a number with a dot for decimals and no thousands separator, such as 1234.50 or -20"
DATE_RANGE = f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"


class TransactionsError(ValueError):
    """A CSV file that cannot be read as transactions; the message names the line and column."""


def where(path, line=None, column=None):
    """``path, line N, column C``: the place a message is about."""
    parts = [str(path)]
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


def parse_date(text):
    """``date`` of a ``YYYY-MM-DD`` text in the dates read; ``ValueError`` saying what is wrong otherwise.

    Stricter than :meth:`datetime.date.fromisoformat`, which also takes
    ``20250301`` and ISO weeks (``2025-W10-1``).
    """
    if not DATE_PATTERN.fullmatch(text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD, such as 2025-03-01")
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar") from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"{text} is outside the dates read, {DATE_RANGE}")
    return date


def parse_number(text):
    """``float`` of a plain decimal number; ``ValueError`` saying what is wrong otherwise.

    ``nan``, ``inf``, ``1,000`` or ``1_000`` are not numbers here, though
    :func:`float` takes some of them.
    """
    if not NUMBER_PATTERN.fullmatch(text):
        raise ValueError(f"{text!r} is not a number: {NUMBER_HINT}")
    value = float(text)
    if not abs(value) <= MAX_AMOUNT:
        raise ValueError(
            f"{text} is too large: amounts up to {MAX_AMOUNT:,.0f} are read, larger ones make the sums overflow"
        )
    return value


def read_transactions(path, margin_ratio=None, *, encoding=None, as_of=None):
    """Return (orders frame, whether margins came from the file).

    :param margin_ratio: margin as a share of the amount for a file without
        a ``margin`` column (0.3 = 30 %); without either, margins are NaN
    :param encoding: the file's encoding; by default UTF-8, or UTF-16 after
        its byte order mark
    :param as_of: rows dated after it are left out before refunds are netted
        (a later refund must not lower an earlier period's revenue)
    """
    header_line, columns, lines, texts = _rows(path, encoding)
    has_margin = "margin" in columns
    if has_margin and margin_ratio is not None:
        raise TransactionsError(
            f"{where(path, header_line, 'margin')}: the file has margins, and a margin ratio was given too; "
            "a ratio is only for files without a margin column: drop one of them"
        )
    if not len(lines):
        raise TransactionsError(f"{where(path)}: no transaction after the header line")
    frame = _values(path, columns, lines, texts)
    if as_of is not None:
        frame = frame[frame["date"] <= pd.Timestamp(as_of)]
    if margin_ratio is not None:
        frame = frame.assign(margin=frame["amount"] * float(margin_ratio))
    elif not has_margin:
        frame = frame.assign(margin=np.nan)
    orders = _net_adjustments(path, frame)
    if orders.empty:  # every row is later than as_of: a refund alone is refused above
        after = f" on or before {as_of.isoformat()}" if as_of is not None else ""
        raise TransactionsError(f"{where(path)}: no transaction{after}: give a later --as-of, or the earlier rows")
    return (
        pd.DataFrame(
            {
                "partner_id": orders["customer"].to_numpy(),
                "date": orders["date"].to_numpy(),
                "revenue": orders["amount"].to_numpy(),
                "margin": orders["margin"].to_numpy(),
                "user_id": orders["salesperson"].replace("", None).to_numpy() if "salesperson" in orders else None,
            }
        ),
        has_margin,
    )


def _open(path, encoding):
    """The file as a text stream, and the encoding it is read with (the rule of the module docstring)."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(OLE_SIGNATURE))
        _refuse_spreadsheet(path, start)
        if encoding is None:
            encoding = next((name for mark, name in BYTE_ORDER_MARKS if start.startswith(mark)), "utf-8")
        return open(path, encoding=encoding, newline=""), encoding  # the caller closes it
    except FileNotFoundError:
        raise TransactionsError(f"{where(path)}: no such file") from None
    except IsADirectoryError:
        raise TransactionsError(f"{where(path)}: this is a folder; give the CSV file of transactions") from None
    except PermissionError:
        raise TransactionsError(f"{where(path)}: permission denied: the file cannot be read") from None
    except OSError as error:
        raise TransactionsError(f"{where(path)}: cannot be read ({error.strerror or error})") from None
    except LookupError:
        raise TransactionsError(f"{where(path)}: {encoding!r} is not a text encoding Python knows") from None


def _refuse_spreadsheet(path, start):
    """Refuse a spreadsheet file (whose first bytes are ``start``), naming it: a spreadsheet is no CSV."""
    if start.startswith(OLE_SIGNATURE):
        kind = "an Excel 97-2003 workbook (.xls)"
    elif start.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
                mimetype = archive.read("mimetype") if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError):
            names, mimetype = [], b""
        if any(name.startswith("xl/") for name in names):
            kind = "an Excel workbook (.xlsx)"
        elif mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            kind = "an OpenDocument spreadsheet (.ods)"
        else:
            raise TransactionsError(
                f"{where(path)}: this is a ZIP archive, not a CSV file: unpack it and give the CSV file inside"
            )
    else:
        return
    raise TransactionsError(
        f"{where(path)}: this is {kind}, not a CSV file: open it in the spreadsheet program, "
        "save it as CSV UTF-8 (comma-separated) and give that file"
    )


def _rows(path, encoding):
    """(header line number, column index by name, line numbers, stripped texts by column) of the file.

    Read as a stream, the values of the columns read kept and nothing else;
    blank lines are skipped; a line with more or fewer values than the
    header is refused.
    """
    named = encoding is not None
    stream, encoding = _open(path, encoding)
    header_line, header, columns, lines, values, plan, shared = None, None, None, [], None, None, {}
    line = 0  # last line read
    with stream:
        reader = csv.reader(stream, strict=True)
        try:
            for fields in reader:
                start, line = line + 1, reader.line_num
                if not fields or (not fields[0].strip() and not "".join(fields).strip()):
                    continue
                if header is None:
                    header_line, header = start, fields
                    columns = _columns(path, start, header)
                    values = {name: [] for name in columns}
                    plan = [(index, values[name].append, name in REPEATED) for name, index in columns.items()]
                    continue
                if len(fields) != len(header):
                    raise _miscounted(path, start, header, fields)
                lines.append(start)
                for index, append, repeated in plan:
                    text = fields[index].strip()
                    # one string object per distinct customer, date or salesperson
                    append(shared.setdefault(text, text) if repeated else text)
        except csv.Error as error:
            raise _malformed(path, encoding, line + 1, reader.line_num, header, error) from None
        except UnicodeDecodeError:
            raise _undecodable(path, encoding, named) from None
    if header is None:
        raise TransactionsError(f"{where(path)}: the file is empty")
    return header_line, columns, np.array(lines, dtype=np.int64), values


def _undecodable(path, encoding, named):
    """Error naming the line and column of the first byte ``encoding`` cannot decode."""
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        raw.decode(encoding)
        error = None
    except UnicodeDecodeError as failure:
        error = failure
    position = error.start if error else len(raw)
    lines = raw[:position].decode(encoding, errors="replace").split("\n")
    header = next(csv.reader([lines[0]]), []) if len(lines) > 1 else []
    column = _column_at(header, lines[-1])
    byte = f"byte 0x{raw[position]:02x}" if position < len(raw) else "the last byte"
    western = None if named or error is None else _western_word(raw, position)
    if named:
        what = f"{byte} is not {encoding}: check the encoding given"
    elif western:
        what = (
            f"{byte} is not UTF-8: the file looks saved as Windows-1252/Latin-1 (Western European), "
            f'in which this reads "{western}"; save it as CSV UTF-8, or give --encoding cp1252'
        )
    else:
        # no encoding named here: a wrong guess would read every name garbled, without an error
        what = (
            f"{byte} is not UTF-8; {ENCODINGS_READ} is read: save the file as CSV UTF-8, "
            "or give the encoding it was saved in with --encoding"
        )
    return TransactionsError(f"{where(path, len(lines), column)}: {what}")


def _western_word(raw, position):
    """The word around byte ``position`` when ``raw`` reads as Western European text in Windows-1252, else None.

    Windows-1252 (Latin-1 with a few signs more) decodes almost any bytes, so
    decoding is no proof: the text must also hold no UTF-8 beside it and
    read as Latin names do, an accented letter or two among plain ones
    (:data:`MAX_ACCENTED_RUN`), never whole words of other letters, which is
    what Cyrillic, Greek or Chinese text gives in Windows-1252. The word is
    shown as it reads then, so that the reader can judge.
    """
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined
        return None
    if any(ord(char) > 0x7F and char != "\ufffd" for char in raw.decode("utf-8", errors="replace")):
        return None  # UTF-8 text with a stray byte: no one encoding reads the whole file
    runs = re.findall(r"[^\x00-\x7f]+", text)
    if any(len(run) > MAX_ACCENTED_RUN for run in runs):
        return None
    start = position
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-'"):
        start -= 1
    end = position + 1
    while end < len(text) and (text[end].isalnum() or text[end] in "-'"):
        end += 1
    return text[start:end]


def _miscounted(path, line, header, fields):
    """Error for a line with more or fewer values than the header names columns."""
    width = len(header)
    if len(fields) > width:
        return TransactionsError(
            f"{where(path, line, width + 1)}: {len(fields)} values for {width} columns; "
            'a value holding a comma must be quoted, such as "Smith, John"'
        )
    name = header[len(fields)].strip().lower() or len(fields) + 1
    return TransactionsError(
        f"{where(path, line, name)}: {len(fields)} values for {width} columns; "
        "give every column, leaving unknown values empty"
    )


def _malformed(path, encoding, start, stop, header, error):
    """Error naming the line and column where the CSV reader gave up."""
    message = str(error)
    if "unexpected end of data" in message or "field larger than field limit" in message:
        line = start  # the record that never ended began with the opening quote
        what = 'a quote (") opened in this line is never closed: close it, or double a quote inside a value ("")'
    else:
        line = stop
        what = f'{message}: a value holding a quote must be quoted whole, the quote doubled ("He said ""yes""")'
    with open(path, encoding=encoding, errors="replace", newline="") as stream:  # lines as the reader counts them
        physical = next((text for number, text in enumerate(stream, start=1) if number == line), "")
    return TransactionsError(f"{where(path, line, _column_at(header, physical))}: {what}")


def _column_at(header, line_text):
    """Name (or number) of the column where ``line_text`` goes wrong: a quote left open or text after one."""
    position, quoted, at_start = 0, False, True
    index = 0
    while index < len(line_text):
        char = line_text[index]
        if quoted and char == '"':
            if line_text[index + 1 : index + 2] == '"':  # a doubled quote inside quotes
                index += 2
                continue
            quoted = False
            if line_text[index + 1 : index + 2] not in ("", ",", "\r", "\n"):
                break  # text after the closing quote
        elif not quoted and char == '"' and at_start:
            quoted = True
        elif not quoted and char == ",":
            position += 1
            at_start = True
            index += 1
            continue
        at_start = False
        index += 1
    names = _names(header or ())
    return names[position] if position < len(names) else position + 1


def _names(header):
    """Column names as read: spaces around them, case and a byte order mark left by a named encoding ignored."""
    return [name.strip().removeprefix("\ufeff").strip().lower() for name in header]


def _columns(path, line, header):
    """Index of each column read, by name; refuses a header that lacks one or names one twice."""
    if "\x00" in "".join(header):
        raise TransactionsError(
            f"{where(path, line)}: the header holds NUL characters, as UTF-16 without a byte order mark does; "
            "give its encoding (--encoding utf-16-le or utf-16-be) or save the file as UTF-8"
        )
    names = _names(header)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        hint = "the first line must name the columns customer, date, amount[, margin][, salesperson]"
        if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
            hint = "the columns are separated by semicolons or tabs: save the file as comma-separated (CSV)"
        raise TransactionsError(f"{where(path, line)}: missing column(s) {', '.join(missing)}; {hint}")
    columns = {}
    for position, name in enumerate(names, start=1):
        if name not in REQUIRED + OPTIONAL:
            continue
        if name in columns:
            raise TransactionsError(
                f"{where(path, line, position)}: the column {name} is named twice "
                f"(columns {columns[name] + 1} and {position}); keep one"
            )
        columns[name] = position - 1
    return columns


def _values(path, columns, lines, texts):
    """Frame of the columns read (``line`` added), every value checked; refuses the first bad one."""
    raw = {name: pd.Series(values, dtype=object) for name, values in texts.items()}
    frame = pd.DataFrame({"line": lines, "customer": raw["customer"]})
    failures = {"customer": (raw["customer"] == "").to_numpy()}
    frame["date"], failures["date"] = _dates(raw["date"])
    frame["amount"], failures["amount"] = _numbers(raw["amount"])
    if "margin" in columns:
        frame["margin"], failures["margin"] = _numbers(raw["margin"])
    if "salesperson" in columns:
        frame["salesperson"] = raw["salesperson"]
    # the first bad value of the file, leftmost of its line
    problems = [(int(lines[mask.argmax()]), columns[name], name) for name, mask in failures.items() if mask.any()]
    if problems:
        line, _position, name = min(problems)
        value = raw[name].iloc[int(np.searchsorted(lines, line))]
        raise TransactionsError(f"{where(path, line, name)}: {_refusal(name, value)}")
    return frame


def _dates(values):
    """(dates, whether each is refused) of ``YYYY-MM-DD`` texts, vectorised :func:`parse_date`."""
    written = values.str.fullmatch(DATE_PATTERN.pattern).fillna(False).to_numpy(dtype=bool)
    dates = pd.to_datetime(values.where(written), format="%Y-%m-%d", errors="coerce")
    read = dates.notna() & (dates >= pd.Timestamp(FIRST_DATE)) & (dates <= pd.Timestamp(LAST_DATE))
    return dates, ~(written & read.to_numpy())


def _numbers(values):
    """(numbers, whether each is refused) of plain decimal texts, vectorised :func:`parse_number`."""
    written = values.str.fullmatch(NUMBER_PATTERN.pattern).fillna(False).to_numpy(dtype=bool)
    numbers = pd.to_numeric(values.where(written), errors="coerce").astype(float)
    return numbers, ~(written & (numbers.abs() <= MAX_AMOUNT).to_numpy())


def _refusal(name, value):
    """What is wrong with ``value`` of column ``name``, and what to do."""
    if not value:
        return f"empty {name}: {_EMPTY_HINTS[name]}"
    try:
        (parse_date if name == "date" else parse_number)(value)
    except ValueError as error:
        return str(error)
    return f"{value!r} cannot be read"  # the vectorised checks and the parsers disagree: a bug


_EMPTY_HINTS = {
    "customer": "name the customer of every row",
    "date": "give the date of every row, written YYYY-MM-DD",
    "amount": "give the amount of every row (negative for a refund)",
    "margin": "give the margin of every row (0 if none), or drop the column and give a margin ratio",
}


def _net_adjustments(path, frame):
    """Orders (rows of 0 or more), each with the refunds of its customer that fall to it added in.

    A refund (a row below 0) goes to the customer's latest order on or before
    its date; see the module docstring.
    """
    is_order = frame["amount"] >= 0
    orders = frame[is_order].sort_values(["date", "line"], kind="stable")
    adjustments = frame[~is_order]
    if adjustments.empty:
        return orders.sort_values("line", kind="stable")
    targets = pd.merge_asof(
        adjustments.sort_values(["date", "line"], kind="stable"),
        orders[["date", "customer", "line"]].rename(columns={"line": "order_line"}),
        on="date",
        by="customer",
        direction="backward",
    )
    orphans = targets[targets["order_line"].isna()]
    if len(orphans):
        orphan = orphans.sort_values("line").iloc[0]
        raise TransactionsError(
            f"{where(path, int(orphan['line']), 'amount')}: a refund ({orphan['amount']:g}) of {orphan['customer']} "
            f"on {orphan['date']:%Y-%m-%d}, before any order of theirs in the file; a refund goes to the "
            "customer's latest order on or before its date: add that order or remove the line"
        )
    added = targets.groupby("order_line")[["amount", "margin"]].sum(min_count=1)
    orders = orders.set_index("line", drop=False)
    matched = added.index.astype(np.int64)
    orders.loc[matched, "amount"] += added["amount"].to_numpy()
    orders.loc[matched, "margin"] += added["margin"].to_numpy()
    return orders.sort_index().reset_index(drop=True)
