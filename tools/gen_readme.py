"""Render the ``readme/`` fragments into the app page, ``static/description/index.html``.

The OCA generates an addon's README.rst and index.html from its ``readme/``
fragments with ``oca-gen-addon-readme`` (oca/maintainer-tools), which is not
on PyPI; this script does the same job for this addon with the standard
library only: one self-contained page (title, icon, summary, the description
with its screenshots, a table of contents, then configuration, usage,
definitions, development and credits). README.md stays hand-written.

    python3 tools/gen_readme.py            # write static/description/index.html
    python3 tools/gen_readme.py --check    # exit 1 if the page is out of date or a link is broken

The Markdown understood is the subset the fragments use: ATX headings, paragraphs,
``-`` lists (nested by indentation), pipe tables, fenced code, and inline code,
``**strong**``, ``*emphasis*``, links, images and ``<http://...>`` autolinks.
Links between fragments become anchors of the page; images of
``static/description/`` are referenced by file name, as Odoo's Apps screen
rewrites them to ``/<addon>/static/description/<name>``.

``--check`` also checks every relative link ``](path#anchor)`` of README.md,
``readme/*.md`` and ``bench/README.md``: the file exists and so does the
anchor, as GitHub slugs headings.
"""

import argparse
import ast
import html
import pathlib
import re
import sys
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parent.parent
README_DIR = ROOT / "readme"
DESCRIPTION_DIR = ROOT / "static" / "description"
TARGET = DESCRIPTION_DIR / "index.html"

# (fragment, section title); DESCRIPTION has no title of its own, as on OCA pages
SECTIONS = [
    ("DESCRIPTION", None),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEFINITIONS", "Definitions"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
CREDIT_FRAGMENTS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]
HEADING_SHIFT = 1  # a fragment's "##" is an <h3> under its section's <h2>

STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
h1 img { height: 1.6em; vertical-align: middle; margin-right: .4em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; }
code { background: #f6f8fa; padding: 0 .2em; }
img { max-width: 100%; }
.summary { font-size: 1.15em; }
.toc { background: #fafafa; border: 1px solid #eee; padding: .5em 1em; }
"""


# ---- slugs and links


def github_slug(text):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text).strip().lower()
    kept = (c for c in text if c in " -" or unicodedata.category(c)[0] in "LMN" or unicodedata.category(c) == "Pc")
    return "".join(kept).replace(" ", "-")


def heading_slugs(markdown):
    """Every heading anchor of a Markdown text, repeated headings numbered as GitHub does."""
    slugs, seen = [], {}
    for line in _outside_fences(markdown.split("\n")):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = github_slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            slugs.append(slug if count == 0 else f"{slug}-{count}")
    return slugs


def _outside_fences(lines):
    fence = False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
            continue
        if not fence:
            yield line


# ---- inline Markdown


def render_inline(text, link):
    """Inline Markdown to HTML; ``link(url)`` maps each link and image target."""
    codes = []

    def keep_code(match):
        codes.append(f"<code>{html.escape(match.group(1).strip())}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`([^`]+)`", keep_code, text)
    text = html.escape(text, quote=False)

    def target(match):
        return html.escape(link(html.unescape(match.group(2))))

    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", lambda m: f'<img src="{target(m)}" alt="{m.group(1)}"/>', text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: f'<a href="{target(m)}">{m.group(1)}</a>', text)
    text = re.sub(r"&lt;(https?://[^\s&]+)&gt;", r'<a href="\1">\1</a>', text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text, flags=re.DOTALL)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", text, flags=re.DOTALL)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


# ---- block Markdown

LIST_ITEM = re.compile(r"^( *)- (.*)$")
TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


class Renderer:
    """Markdown blocks to HTML, heading ids prefixed so that fragments do not collide."""

    def __init__(self, prefix, link):
        self.prefix = prefix
        self.link = link
        self.seen = {}
        self.headings = []  # (level, id, html)

    def inline(self, text):
        return render_inline(text, self.link)

    def render(self, lines):
        out, i = [], 0
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                i += 1
            elif line.startswith("```"):
                i = self._fence(lines, i, out)
            elif re.match(r"^#{1,6}\s", line):
                out.append(self._heading(line))
                i += 1
            elif line.startswith("|") and i + 1 < len(lines) and TABLE_RULE.match(lines[i + 1]):
                i = self._table(lines, i, out)
            elif LIST_ITEM.match(line):
                i = self._list(lines, i, out)
            else:
                i = self._paragraph(lines, i, out)
        return "\n".join(out)

    def _fence(self, lines, i, out):
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        out.append("<pre><code>" + html.escape("\n".join(lines[i + 1 : end])) + "</code></pre>")
        return end + 1

    def _heading(self, line):
        hashes, text = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line).groups()
        slug = github_slug(text)
        count = self.seen.get(slug, 0)
        self.seen[slug] = count + 1
        anchor = f"{self.prefix}-{slug if count == 0 else f'{slug}-{count}'}"
        level = min(len(hashes) + HEADING_SHIFT, 6)
        content = self.inline(text)
        self.headings.append((level, anchor, content))
        return f'<h{level} id="{anchor}">{content}</h{level}>'

    def _table(self, lines, i, out):
        def cells(row):
            return [c.strip() for c in row.strip().strip("|").split("|")]

        rows = [f"<tr>{''.join(f'<th>{self.inline(c)}</th>' for c in cells(lines[i]))}</tr>"]
        i += 2
        while i < len(lines) and lines[i].startswith("|"):
            rows.append(f"<tr>{''.join(f'<td>{self.inline(c)}</td>' for c in cells(lines[i]))}</tr>")
            i += 1
        out.append("<table>\n" + "\n".join(rows) + "\n</table>")
        return i

    def _list(self, lines, i, out):
        indent = len(LIST_ITEM.match(lines[i]).group(1))
        items = []
        while i < len(lines):
            match = LIST_ITEM.match(lines[i])
            if match and len(match.group(1)) == indent:
                items.append([match.group(2)])
                i += 1
            elif lines[i].strip() and _indent(lines[i]) > indent and items:
                items[-1].append(lines[i][indent + 2 :] if _indent(lines[i]) >= indent + 2 else lines[i].strip())
                i += 1
            elif not lines[i].strip() and i + 1 < len(lines) and _continues(lines[i + 1], indent):
                items[-1].append("")
                i += 1
            else:
                break
        out.append("<ul>\n" + "\n".join(f"<li>{self._item(item)}</li>" for item in items) + "\n</ul>")
        return i

    def _item(self, item_lines):
        rendered = self.render(item_lines)
        # a single paragraph in an item reads as the item itself, without <p>
        if rendered.startswith("<p>") and rendered.count("<p>") == 1 and rendered.endswith("</p>"):
            return rendered[3:-4]
        if rendered.startswith("<p>") and rendered.count("<p>") == 1:
            head, _, tail = rendered.partition("</p>")
            return head[3:] + tail
        return rendered

    def _paragraph(self, lines, i, out):
        start = i
        while i < len(lines) and lines[i].strip() and not _starts_block(lines, i):
            i += 1
        if i == start:  # a line that looks like a block but is not one (a lone "|")
            i += 1
        out.append("<p>" + self.inline("\n".join(line.strip() for line in lines[start:i])) + "</p>")
        return i


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _continues(next_line, indent):
    match = LIST_ITEM.match(next_line)
    return (match and len(match.group(1)) == indent) or (next_line.strip() and _indent(next_line) > indent)


def _starts_block(lines, i):
    line = lines[i]
    return (
        line.startswith("```")
        or re.match(r"^#{1,6}\s", line) is not None
        or LIST_ITEM.match(line) is not None
        or (line.startswith("|") and i + 1 < len(lines) and TABLE_RULE.match(lines[i + 1]) is not None)
    )


# ---- the page


def _manifest():
    return ast.literal_eval((ROOT / "__manifest__.py").read_text())


def _fragments():
    names = [name for name, _ in SECTIONS + CREDIT_FRAGMENTS]
    return {name: (README_DIR / f"{name}.md").read_text() for name in names if (README_DIR / f"{name}.md").exists()}


def _linker(fragment, fragments):
    """Map a link of a fragment to the page: other fragments become anchors, repository files relative paths."""

    def link(url):
        if re.match(r"^[a-z][a-z0-9+.-]*:", url):
            return url
        path, _, anchor = url.partition("#")
        if not path:
            return f"#{fragment.lower()}-{anchor}"
        target = (README_DIR / path).resolve()
        if target.parent == README_DIR and target.stem in fragments:
            return f"#{target.stem.lower()}-{anchor}" if anchor else f"#{target.stem.lower()}"
        if target.parent == DESCRIPTION_DIR:
            return target.name + (f"#{anchor}" if anchor else "")
        relative = pathlib.Path("../..") / target.relative_to(ROOT)
        return relative.as_posix() + (f"#{anchor}" if anchor else "")

    return link


def _toc(headings):
    """Nested list of the h2 and h3 headings."""
    items, open_sub = [], False
    for level, anchor, content in headings:
        if level > 3:
            continue
        entry = f'<li><a href="#{anchor}">{re.sub(r"<a [^>]*>|</a>", "", content)}</a>'
        if level == 2:
            if items:
                items.append("</ul></li>" if open_sub else "</li>")
            items.append(entry)
            open_sub = False
        else:
            if not open_sub:
                items.append("<ul>")
            items.append(entry + "</li>")
            open_sub = True
    if items:
        items.append("</ul></li>" if open_sub else "</li>")
    return '<div class="toc">\n<p><strong>Table of contents</strong></p>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</div>"


def _unreferenced_screenshots(text):
    pictures = sorted(p.name for p in DESCRIPTION_DIR.glob("*.png") if p.name != "icon.png")
    return [name for name in pictures if name not in text]


def build_page():
    """The whole index.html as a string (deterministic: no date, no version control data)."""
    manifest = _manifest()
    fragments = _fragments()
    body, headings = [], []
    for name, title in SECTIONS:
        if name not in fragments:
            continue
        renderer = Renderer(name.lower(), _linker(name, fragments))
        if title:
            body.append(f'<h2 id="{name.lower()}">{html.escape(title)}</h2>')
            headings.append((2, name.lower(), html.escape(title)))
        text = fragments[name]
        if name == "DESCRIPTION":
            extra = _unreferenced_screenshots(text)
            text += "".join(f"\n![{n}](../static/description/{n})\n" for n in extra)
        body.append(renderer.render(text.split("\n")))
        headings.extend(renderer.headings)
    body.append('<h2 id="credits">Credits</h2>')
    headings.append((2, "credits", "Credits"))
    body.append(f'<h3 id="credits-authors">Authors</h3>\n<ul>\n<li>{html.escape(manifest["author"])}</li>\n</ul>')
    for name, title in CREDIT_FRAGMENTS:
        if name in fragments:
            body.append(f'<h3 id="credits-{name.lower()}">{title}</h3>')
            body.append(Renderer(name.lower(), _linker(name, fragments)).render(fragments[name].split("\n")))
    if manifest.get("website"):
        site = html.escape(manifest["website"])
        body.append(f'<h3 id="credits-maintainers">Maintainers</h3>\n<p><a href="{site}">{site}</a></p>')

    description_end = next((i for i, part in enumerate(body) if part.startswith("<h2")), len(body))
    toc = _toc([(2, a, c) if a.startswith("description-") and lvl == 3 else (lvl, a, c) for lvl, a, c in headings])
    name = html.escape(manifest["name"])
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8"/>',
            f"<title>{name}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<!-- Generated by tools/gen_readme.py from readme/*.md: edit those, then run it again. -->",
            f'<h1 id="top"><img src="icon.png" alt=""/>{name}</h1>',
            f'<p class="summary">{html.escape(manifest.get("summary", ""))}</p>',
            f"<p>License: {html.escape(manifest.get('license', ''))} · Version {html.escape(manifest['version'])}</p>",
            *body[:description_end],
            toc,
            *body[description_end:],
            "</body>",
            "</html>",
            "",
        ]
    )


def broken_anchors(page):
    """In-page links of the generated page whose anchor does not exist."""
    ids = set(re.findall(r'id="([^"]+)"', page))
    return sorted({href for href in re.findall(r'href="#([^"]+)"', page) if href not in ids})


def broken_links():
    """Relative links of the Markdown files whose file or GitHub anchor does not exist."""
    files = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted(README_DIR.glob("*.md"))]
    problems = []
    for source in files:
        if not source.exists():
            continue
        text = "\n".join(_outside_fences(source.read_text().split("\n")))
        for url in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", url):
                continue
            path, _, anchor = url.partition("#")
            target = (source.parent / path).resolve() if path else source
            where = f"{source.relative_to(ROOT)}: {url}"
            if not target.exists():
                problems.append(f"{where} (no such file)")
            elif anchor and target.suffix == ".md" and anchor not in heading_slugs(target.read_text()):
                problems.append(f"{where} (no such heading)")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if out of date or a link is broken")
    args = parser.parse_args(argv)
    page = build_page()
    problems = [f"index.html: #{a} (no such anchor)" for a in broken_anchors(page)] + broken_links()
    for problem in problems:
        print(f"broken link: {problem}", file=sys.stderr)
    if args.check:
        stale = not TARGET.exists() or TARGET.read_text() != page
        if stale:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python3 tools/gen_readme.py", file=sys.stderr)
        return 1 if stale or problems else 0
    TARGET.write_text(page)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(page):,} characters)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
