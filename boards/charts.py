"""Charts drawn on the server as SVG: no charting library, no JavaScript.

Every chart places its values with the one ``Scale`` here and picks its ticks with the one
``nice_step``: the storyboard's run chart (below), a team's weekly bar charts
(``kata.practice``) and the dashboard's sparklines (``kata.dashboard.sparklines``). The charts
that draw axes describe them as ``Axes``, which ``templates/boards/_chart_axes.html`` draws.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from boards.models import Measurement, Metric, TargetCondition

# The steps an axis may take, each times a power of ten.
NICE_FACTORS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Frame:
    """A chart's size and the margins around its plot, where the axes' labels go."""

    width: int
    height: int
    left: int = 0
    right: int = 0
    top: int = 0
    bottom: int = 0

    @property
    def plot_left(self) -> int:
        return self.left

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_top(self) -> int:
        return self.top

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    def x_scale(self, low: float, high: float) -> Scale:
        """Values from ``low`` to ``high`` across the plot, left to right."""
        return Scale(low, high, start=self.plot_left, length=self.plot_width)

    def y_scale(self, low: float, high: float) -> Scale:
        """Values from ``low`` to ``high`` up the plot: the highest at the top."""
        return Scale(low, high, start=self.plot_top, length=self.plot_height, upward=True)


@dataclass(frozen=True)
class Scale:
    """A linear map of the values from ``low`` to ``high`` onto ``length`` pixels from
    ``start``; ``upward`` (a y axis) puts ``high`` at the start, since SVG counts down."""

    low: float
    high: float
    start: float
    length: float
    upward: bool = False

    def exact(self, value: float) -> float:
        share = (self.high - value if self.upward else value - self.low) / (self.high - self.low)
        return self.start + share * self.length

    def __call__(self, value: float) -> float:
        """The pixel of ``value``, to a tenth: finer is invisible and costs bytes."""
        return round(self.exact(value), 1)

    def ticks(self, step: float) -> list[float]:
        """Every multiple of ``step`` from ``low`` to ``high``, both ends included."""
        first = math.ceil(self.low / step)
        last = math.floor(self.high / step)
        return [n * step for n in range(first, last + 1)]


def nice_step(span: float, intervals: int, *, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that cuts ``span`` into at most
    ``intervals`` steps; with ``whole`` (counts), whole numbers only."""
    raw = span / intervals or 1
    # Below one, a step is at least a tenth (as the run chart has always drawn it).
    magnitude = max(10.0 ** math.floor(math.log10(raw)), 1.0 if whole else 0.1)
    for factor in NICE_FACTORS:
        step = factor * magnitude
        if step >= raw and not (whole and step % 1):
            return step
    return 10 * magnitude  # not reached: ten times the magnitude is always enough


def extent(values: Iterable[float]) -> tuple[float, float]:
    """The lowest and the highest value; one apart around a single value, so it scales."""
    numbers = list(values)
    low, high = min(numbers), max(numbers)
    if high == low:
        return low - 1, high + 1
    return low, high


@dataclass(frozen=True)
class Bands:
    """``count`` equal slots across ``length`` pixels from ``start``, with a gap of ``gap``
    (a share of a slot) split around the bars of each; ``bars`` side by side in a slot."""

    count: int
    start: float
    length: float
    bars: int = 1
    gap: float = 0.2

    @property
    def slot(self) -> float:
        return self.length / self.count

    @property
    def bar_width(self) -> float:
        return (self.slot - self.slot * self.gap) / self.bars

    def bar_x(self, slot: int, bar: int) -> float:
        return self.start + slot * self.slot + self.slot * self.gap / 2 + bar * self.bar_width

    def centre(self, slot: int) -> float:
        return round(self.start + slot * self.slot + self.slot / 2, 1)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Axes:
    """What ``boards/_chart_axes.html`` draws: a grid line and a label for each y tick, a
    label under the plot for each x tick, and the plot's bottom edge if ``baseline``."""

    frame: Frame
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    # From the plot's bottom edge down to the x labels' baseline.
    x_label_gap: int = 20
    baseline: bool = False

    @property
    def y_label_x(self) -> int:
        return self.frame.plot_left - 6

    @property
    def x_label_y(self) -> int:
        return self.frame.plot_bottom + self.x_label_gap


# The run chart ---------------------------------------------------------------------------------

RUN_FRAME = Frame(960, 280, left=56, right=24, top=16, bottom=36)
# Two or more charts (the process and the outcome metric) stand side by side where there is
# room: each half as wide, so its labels keep their size on the page.
PAIR_FRAME = Frame(480, 240, left=48, right=16, top=16, bottom=36)
CENT = Decimal("0.01")
# Beyond this many points the chart keeps each time bucket's extremes, so spikes stay visible.
MAX_POINTS = 240
# The newest measurements listed under a chart, as figures to read and to correct.
LATEST_LISTED = 8
# Measurement rows as read: when, the value, the PDCA step's id and number if it came from one,
# the measurement's id and its note.
MeasurementRow = tuple[datetime, Decimal, int | None, int | None, int, str]


@dataclass
class Point:
    x: float
    y: float
    value: Decimal
    at: datetime
    experiment_id: int | None
    experiment_number: int | None
    meets_target: bool
    # Worked out here rather than in the template: a chart has up to MAX_POINTS of them.
    label: str = ""

    @property
    def css(self) -> str:
        return (
            "point"
            + (" meets" if self.meets_target else "")
            + (" linked" if self.experiment_id else "")
        )

    @property
    def radius(self) -> float:
        return 5 if self.experiment_id else 3.5

    def svg(self) -> SafeString:
        """A circle with its label, linking to the PDCA step it came from, if any."""
        circle = format_html(
            '<circle class="{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle>',
            self.css,
            self.x,
            self.y,
            self.radius,
            self.label,
        )
        if self.experiment_id:
            return format_html('<a href="#experiment-{}">{}</a>', self.experiment_id, circle)
        return circle


@dataclass(frozen=True)
class Listed:
    """One of the newest measurements, listed under the chart as text."""

    pk: int
    at: datetime
    value: str
    note: str
    experiment_id: int | None
    experiment_number: int | None


@dataclass
class RunChart:
    metric: Metric
    frame: Frame
    axes: Axes
    points: list[Point]
    total: int
    path: str
    target_y: float | None
    achieve_by_x: float | None
    latest: list[Listed]

    @property
    def dom_id(self) -> str:
        return f"run-chart-{self.metric.pk}"

    @property
    def has_linked(self) -> bool:
        return any(point.experiment_id for point in self.points)

    @property
    def achieve_by_label_y(self) -> float:
        """The achieve-by label at the top of its line, or at the bottom when the target
        line's own label runs along the top."""
        middle = (self.frame.plot_top + self.frame.plot_bottom) / 2
        if self.target_y is not None and self.target_y < middle:
            return self.frame.plot_bottom - 6
        return self.frame.plot_top + 10

    def points_svg(self) -> SafeString:
        """The points as SVG circles, those from a PDCA step linking to it.

        Built here rather than in the template: a chart has up to MAX_POINTS of them, and the
        template engine costs more than the rest of the chart put together.
        """
        return format_html_join("", "{}", ((point.svg(),) for point in self.points))

    @property
    def thinned(self) -> bool:
        return self.total > len(self.points)

    @property
    def summary(self) -> str:
        if not self.points:
            return f"No measurements of {self.metric.name} yet."
        last = self.points[-1]
        plural = "" if self.total == 1 else "s"
        return (
            f"{self.total} measurement{plural} of {self.metric.name}; latest "
            f"{self.metric.format_value(last.value)} on {timezone.localtime(last.at):%d %b}, "
            f"target {self.metric.target_label}."
        )


def _thin(rows: list[MeasurementRow], limit: int) -> list[MeasurementRow]:
    """Keep the lowest and highest value of each of limit/2 equal slices, in time order.

    The latest measurement is always kept: the chart's line must end where the process is now.
    """
    if len(rows) <= limit:
        return rows
    return _thin_slices(rows[:-1], limit - 2) + rows[-1:]


def _thin_slices(rows: list[MeasurementRow], limit: int) -> list[MeasurementRow]:
    buckets = limit // 2
    size = len(rows) / buckets
    kept: list[MeasurementRow] = []
    for b in range(buckets):
        chunk = rows[int(b * size) : int((b + 1) * size)]
        if not chunk:
            continue
        low = min(chunk, key=lambda r: r[1])
        high = max(chunk, key=lambda r: r[1])
        kept.extend(sorted({low, high}, key=lambda r: r[0]))
    return kept


def _value_ticks(y: Scale) -> list[Tick]:
    """About four ticks inside the padded range; none on its edges, which hold no reading."""
    step = nice_step(y.high - y.low, 4)
    return [Tick(y(v), f"{v:g}") for v in y.ticks(step) if y.low < v < y.high]


def _day_ticks(x: Scale, start: datetime, end: datetime, tz: tzinfo) -> list[Tick]:
    """Midnights from ``start`` to ``end``, about six of them, a whole number of days apart."""
    days = max(int((end - start).total_seconds() // 86400), 1)
    every = max(days // 6, 1)
    day = timezone.localtime(start, tz).date()
    ticks = []
    for n in range(0, days + 1, every):
        d = day + timedelta(days=n)
        at = datetime.combine(d, time(0, 0), tzinfo=tz)
        if start <= at <= end:
            ticks.append(Tick(x((at - start).total_seconds()), f"{d:%d %b}"))
    return ticks


def run_charts(metrics: Sequence[Metric], target: TargetCondition) -> list[RunChart]:
    """A run chart for each metric, in the order given, from one query however many."""
    if not metrics:
        return []
    rows: dict[int, list[MeasurementRow]] = defaultdict(list)
    for metric_id, *row in (
        Measurement.objects.filter(metric__in=[m.pk for m in metrics])
        .order_by("metric", "measured_at", "pk")
        .values_list(
            "metric_id", "measured_at", "value", "experiment_id", "experiment__number", "pk", "note"
        )
    ):
        rows[metric_id].append(tuple(row))  # type: ignore[arg-type]
    # One time axis for all: the process and the outcome metric read side by side.
    tz = timezone.get_current_timezone()
    times = [r[0] for series in rows.values() for r in (series[0], series[-1])]
    # With nothing measured yet, a week back: the axis has some room before the target is set.
    start = min([*times, target.created_at] if times else [timezone.now() - timedelta(days=7)])
    start = min(start, target.created_at)
    end = max([datetime.combine(target.achieve_by, time(23, 59), tzinfo=tz), *times])
    frame = RUN_FRAME if len(metrics) == 1 else PAIR_FRAME
    return [
        _draw(metric, target, rows[metric.pk], start=start, end=end, frame=frame)
        for metric in metrics
    ]


def run_chart(metric: Metric, target: TargetCondition) -> RunChart:
    return run_charts([metric], target)[0]


def _draw(
    metric: Metric,
    target: TargetCondition,
    rows: list[MeasurementRow],
    *,
    start: datetime,
    end: datetime,
    frame: Frame,
) -> RunChart:
    unit_label = f" {metric.unit}" if metric.unit else ""
    latest = [
        Listed(
            pk=pk,
            at=at,
            value=f"{value.normalize():f}{unit_label}",
            note=note,
            experiment_id=exp_id,
            experiment_number=exp_number,
        )
        for at, value, exp_id, exp_number, pk, note in reversed(rows[-LATEST_LISTED:])
    ]
    total = len(rows)
    rows = _thin(rows, MAX_POINTS)
    tz = timezone.get_current_timezone()
    x = frame.x_scale(0, max((end - start).total_seconds(), 1))

    values = [float(r[1]) for r in rows] + [float(metric.target_value)]
    low, high = extent(values)
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    if low > 0 and min(values) >= 0 and low < (high - low):
        low = 0.0
    y = frame.y_scale(low, high)

    def x_of(at: datetime) -> float:
        return x((at - start).total_seconds())

    unit = f" {metric.unit}" if metric.unit else ""

    def label(value: Decimal, at: datetime, step: int | None) -> str:
        # As the template filters floatformat:"-2" and date:"j M H:i" would write it, faster.
        cents = value.quantize(CENT)
        number = f"{cents:f}" if cents != cents.to_integral_value() else f"{int(cents)}"
        local = timezone.localtime(at)
        text = f"{number}{unit} on {local.day} {local:%b %H:%M}"
        return f"{text} (step #{step})" if step else text

    points = [
        Point(
            x=x_of(at),
            y=y(float(value)),
            value=value,
            at=at,
            experiment_id=exp_id,
            experiment_number=exp_number,
            meets_target=metric.meets_target(value),
            label=label(value, at, exp_number),
        )
        for at, value, exp_id, exp_number, _, _ in rows
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    achieve_by = (
        end
        if end.date() == target.achieve_by
        else datetime.combine(target.achieve_by, time(23, 59), tzinfo=tz)
    )
    return RunChart(
        metric=metric,
        frame=frame,
        axes=Axes(
            frame,
            y_ticks=_value_ticks(y),
            x_ticks=_day_ticks(x, start, end, tz),
            x_label_gap=20,
            baseline=True,
        ),
        points=points,
        total=total,
        path=path,
        target_y=y(float(metric.target_value)),
        achieve_by_x=x_of(achieve_by),
        latest=latest,
    )
