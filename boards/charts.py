"""Run charts drawn on the server as SVG: no charting library, no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from boards.models import Measurement, Metric, TargetCondition

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 36
CENT = Decimal("0.01")
# Beyond this many points the chart keeps each time bucket's extremes, so spikes stay visible.
MAX_POINTS = 240


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


@dataclass
class RunChart:
    metric: Metric
    width: int
    height: int
    points: list[Point]
    total: int
    path: str
    target_y: float | None
    achieve_by_x: float | None
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    def points_svg(self) -> SafeString:
        """The points as SVG circles, those from a PDCA step linking to it.

        Built here rather than in the template: a chart has up to MAX_POINTS of them, and the
        template engine costs more than the rest of the chart put together.
        """
        parts = []
        for p in self.points:
            circle = (
                f'<circle class="{p.css}" cx="{p.x}" cy="{p.y}" r="{p.radius}">'
                f"<title>{escape(p.label)}</title></circle>"
            )
            if p.experiment_id:
                circle = f'<a href="#experiment-{p.experiment_id}">{circle}</a>'
            parts.append(circle)
        return mark_safe("".join(parts))  # numbers and escaped labels only

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


def _thin(rows: list[tuple], limit: int) -> list[tuple]:
    """Keep the lowest and highest value of each of limit/2 equal slices, in time order.

    The latest measurement is always kept: the chart's line must end where the process is now.
    """
    if len(rows) <= limit:
        return rows
    return _thin_slices(rows[:-1], limit - 2) + rows[-1:]


def _thin_slices(rows: list[tuple], limit: int) -> list[tuple]:
    buckets = limit // 2
    size = len(rows) / buckets
    kept: list[tuple] = []
    for b in range(buckets):
        chunk = rows[int(b * size) : int((b + 1) * size)]
        if not chunk:
            continue
        low = min(chunk, key=lambda r: r[1])
        high = max(chunk, key=lambda r: r[1])
        kept.extend(sorted({low, high}, key=lambda r: r[0]))
    return kept


def _nice_step(span: float) -> float:
    raw = span / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def run_chart(metric: Metric, target: TargetCondition) -> RunChart:
    rows = list(
        Measurement.objects.filter(metric=metric)
        .order_by("measured_at", "pk")
        .values_list("measured_at", "value", "experiment_id", "experiment__number")
    )
    total = len(rows)
    rows = _thin(rows, MAX_POINTS)
    tz = timezone.get_current_timezone()
    end = datetime.combine(target.achieve_by, time(23, 59), tzinfo=tz)
    start = rows[0][0] if rows else timezone.now() - timedelta(days=7)
    start = min(start, target.created_at)
    end = max(end, rows[-1][0] if rows else end)
    span_s = max((end - start).total_seconds(), 1)

    values = [float(r[1]) for r in rows] + [float(metric.target_value)]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    if low > 0 and min(values) >= 0 and low < (high - low):
        low = 0.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(at: datetime) -> float:
        return round(LEFT + (at - start).total_seconds() / span_s * plot_w, 1)

    def y_of(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * plot_h, 1)

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
            y=y_of(float(value)),
            value=value,
            at=at,
            experiment_id=exp_id,
            experiment_number=exp_number,
            meets_target=metric.meets_target(value),
            label=label(value, at, exp_number),
        )
        for at, value, exp_id, exp_number in rows
    ]
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))

    step = _nice_step(high - low)
    first_tick = (low // step + 1) * step
    y_ticks = []
    tick = first_tick
    while tick < high:
        label = f"{tick:g}"
        y_ticks.append((y_of(tick), label))
        tick += step

    x_ticks = []
    days = max(int(span_s // 86400), 1)
    every = max(days // 6, 1)
    day = timezone.localtime(start, tz).date()
    for n in range(0, days + 1, every):
        d = day + timedelta(days=n)
        at = datetime.combine(d, time(0, 0), tzinfo=tz)
        if start <= at <= end:
            x_ticks.append((x_of(at), f"{d:%d %b}"))

    return RunChart(
        metric=metric,
        width=WIDTH,
        height=HEIGHT,
        points=points,
        total=total,
        path=path,
        target_y=y_of(float(metric.target_value)),
        achieve_by_x=x_of(
            end
            if end.date() == target.achieve_by
            else datetime.combine(target.achieve_by, time(23, 59), tzinfo=tz)
        ),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
