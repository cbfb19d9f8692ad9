"""The dashboard's sparklines: the last values of each row's process metric as a tiny SVG line.

Reads the page's metrics' latest measurements (one window query), except on PostgreSQL, where
each row brings its own (``queries.rows_base``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils.html import format_html
from django.utils.safestring import SafeString

from boards.charts import Frame, extent
from boards.models import Measurement, Metric

SPARK_POINTS = 20
SPARK_FRAME = Frame(96, 28, left=3, right=3, top=3, bottom=3)


@dataclass
class Sparkline:
    """The last few values of a process metric as a tiny SVG line, with its target."""

    path: str
    last_x: float
    last_y: float
    target_y: float
    values: Sequence[Decimal]

    def label(self, metric: Metric) -> str:
        return (
            f"Last {len(self.values)} values of {metric.name}: from "
            f"{metric.format_value(self.values[0])} to {metric.format_value(self.values[-1])}, "
            f"lowest {metric.format_value(min(self.values))}, "
            f"highest {metric.format_value(max(self.values))}; target {metric.target_label}."
        )

    def svg(self, metric: Metric) -> SafeString:
        label = self.label(metric)
        w, h = SPARK_FRAME.width, SPARK_FRAME.height
        return format_html(
            '<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            'aria-label="{label}"><title>{label}</title>'
            '<line class="spark-target" x1="0" x2="{w}" y1="{target_y}" y2="{target_y}"/>'
            '<path class="spark-line" d="{path}"/>'
            '<circle class="spark-last" cx="{x}" cy="{y}" r="2.5"/></svg>',
            w=w,
            h=h,
            label=label,
            target_y=self.target_y,
            path=self.path,
            x=self.last_x,
            y=self.last_y,
        )


def sparklines(targets: dict[int, Decimal]) -> dict[int, Sparkline]:
    """The last SPARK_POINTS measurements of each metric (target value by metric pk), in one
    query for the whole page."""
    if not targets:
        return {}
    rank = Window(
        RowNumber(),
        partition_by=[F("metric_id")],
        order_by=[F("measured_at").desc(), F("pk").desc()],
    )
    rows = (
        Measurement.objects.filter(metric_id__in=list(targets))
        .annotate(rank=rank)
        .filter(rank__lte=SPARK_POINTS)
        .values_list("metric_id", "value")
        .order_by("metric_id", "-rank")
    )
    series: dict[int, list[Decimal]] = defaultdict(list)
    for metric_id, value in rows:
        series[metric_id].append(value)
    return {metric_id: spark(values, targets[metric_id]) for metric_id, values in series.items()}


@functools.cache
def _xs(count: int) -> tuple[float, ...]:
    """The x of each of ``count`` points, evenly spread."""
    x = SPARK_FRAME.x_scale(0, max(count - 1, 1))
    return tuple(x(i) for i in range(count))


def spark(values: Sequence[Decimal], target: Decimal) -> Sparkline:
    """A sparkline of ``values``, oldest first, on a scale that shows the target too."""
    numbers = list(map(float, values))
    goal = float(target)
    y = SPARK_FRAME.y_scale(*extent([goal, *numbers]))
    xs = _xs(len(numbers))
    ys = [y(v) for v in numbers]
    return Sparkline(
        path="M" + " L".join([f"{x},{y}" for x, y in zip(xs, ys, strict=True)]),
        last_x=xs[-1],
        last_y=ys[-1],
        target_y=y(goal),
        values=values,
    )
