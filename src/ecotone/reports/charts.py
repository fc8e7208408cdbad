"""Charts as data (a titled table) and as SVG drawn on the server with pygal.

A chart is first a table: a category column and one column per series, each cell with the
link to the records it counts. The SVG is drawn from that table and the page prints the
table under it, so a screen reader, a CSV download and the picture say the same thing.

pygal adds a script with its configuration and credits in comments; both are removed, and
the SVG gets a ``<title>`` and ``role="img"``. Nothing in it refers to another file or site.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from ecotone.core.spreadsheets import neutralise_row

#: fonts that exist on the server (Debian's fonts-noto-cjk) first, then common desktop ones
FONT_STACK = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "DejaVu Sans", sans-serif'
)
SERIES_COLOURS = ("#2f6f4f", "#c7793a", "#3d6a9e", "#8a5a9e", "#9e8a3d")
CHART_STYLE = Style(
    font_family=FONT_STACK,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    colors=SERIES_COLOURS,
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=13,
)


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: tuple[float | int | None, ...]
    #: per value, the URL of the records it counts (or "")
    links: tuple[str, ...] = ()
    #: the URL the row's label leads to (a city's own figures), or ""
    label_link: str = ""

    def cells(self) -> list[tuple[float | int | None, str]]:
        links = self.links or ("",) * len(self.values)
        return list(zip(self.values, links, strict=True))


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    category: str  #: header of the label column
    series: tuple[str, ...]
    rows: tuple[ChartRow, ...]
    note: str = ""
    horizontal: bool = True
    unit: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(value for row in self.rows for value in row.values)


def short_label(label: str, width: int = 30) -> str:
    """Cut a label to about ``width`` Latin letters; a Chinese character is as wide as two.

    pygal sizes the margin by counting characters, which leaves wide labels clipped."""
    used, kept = 0, list[str]()
    for character in label:
        used += 2 if ord(character) > 0x2E7F else 1
        if used > width:
            return "".join(kept).rstrip() + "…"
        kept.append(character)
    return label


def _pygal_chart(chart: Chart):
    kind = pygal.HorizontalBar if chart.horizontal else pygal.Bar
    height = max(260, 70 + 34 * len(chart.rows) * (len(chart.series) if chart.horizontal else 0))
    drawing = kind(
        js=[],
        style=CHART_STYLE,
        disable_xml_declaration=True,
        title=chart.title,
        width=800,
        height=height if chart.horizontal else 380,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        print_values=True,
        print_zeroes=False,
        truncate_label=-1,  # labels are cut by ``short_label``; pygal would count characters
        x_label_rotation=0 if chart.horizontal else 35,
        no_data_text=str(chart.extra.get("no_data", "")) or "—",
        margin=12,
    )
    # A stable id keeps the SVG identical between builds of the same data; pygal writes it
    # as "chart-<uuid>", which must not be the id of the <figure> around it.
    drawing.uuid = f"drawing-{chart.slug}"
    labels = [short_label(row.label) for row in chart.rows]
    drawing.x_labels = list(reversed(labels)) if chart.horizontal else labels
    for index, name in enumerate(chart.series):
        values = [row.values[index] or 0 for row in chart.rows]
        drawing.add(name, list(reversed(values)) if chart.horizontal else values)
    return drawing


def render_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG: titled, self-contained, no script."""
    root = _pygal_chart(chart).render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.split("}")[-1] == "script":
                parent.remove(child)
    title_id = f"chart-title-{chart.slug}"
    # pygal builds un-namespaced elements and writes xmlns as an attribute; so do we.
    title = ElementTree.Element("title", id=title_id)
    title.text = chart.title
    root.insert(0, title)
    root.set("role", "img")
    root.set("aria-labelledby", title_id)
    root.set("class", "chart-svg")
    text = ElementTree.tostring(root, encoding="unicode")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return mark_safe(text)  # noqa: S308 - built from escaped XML by ElementTree


def chart_csv(chart: Chart) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([chart.category, *chart.series])
    for row in chart.rows:
        # Labels can be records' own text (city names): never a formula in a spreadsheet.
        values = ("" if value is None else value for value in row.values)
        writer.writerow(neutralise_row([row.label, *values]))
    return buffer.getvalue()


def with_svg(charts: list[Chart]) -> list[dict]:
    """Each chart with its drawing, for templates; an empty chart gets none."""
    return [
        {"chart": chart, "svg": None if chart.is_empty else render_svg(chart)} for chart in charts
    ]
