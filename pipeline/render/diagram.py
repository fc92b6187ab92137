"""Described diagrams: the geometry of a stack or a cycle of labelled boxes, drawn by templates/html/diagrams/diagram.svg.j2.

Pure arithmetic on the model's Diagram; no markup is written here.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

from .. import model

DIAGRAM_WIDTH = 640
FONT_SIZE = 15
LINE_HEIGHT = 19
CHARACTER_WIDTH = 7.6  # a generous average for a sans-serif at FONT_SIZE
BOX_PADDING = 12


@dataclass(frozen=True)
class DiagramBox:
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    kind: str  # "node" or "divider"

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def centre_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def middle_y(self) -> float:
        return round(self.y + self.height / 2, 1)

    @property
    def right(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def label_width(self) -> float:
        """The width of the backing behind a divider's label, so the line does not cross the words."""
        return round(max(len(line) for line in self.lines) * CHARACTER_WIDTH + 2 * BOX_PADDING, 1)

    @property
    def label_x(self) -> float:
        return round(self.centre_x - self.label_width / 2, 1)

    @property
    def first_baseline(self) -> float:
        text_height = LINE_HEIGHT * len(self.lines)
        return round(self.y + (self.height - text_height) / 2 + LINE_HEIGHT * 0.75, 1)


@dataclass(frozen=True)
class DiagramArrow:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class DiagramDrawing:
    width: float
    height: float
    boxes: tuple[DiagramBox, ...]
    arrows: tuple[DiagramArrow, ...]
    line_height: float = LINE_HEIGHT
    font_size: float = FONT_SIZE


def _wrap(label: str, width: float) -> tuple[str, ...]:
    columns = max(8, int((width - 2 * BOX_PADDING) / CHARACTER_WIDTH))
    return tuple(textwrap.wrap(label, columns)) or ("",)


def _box_height(lines: tuple[str, ...]) -> float:
    return len(lines) * LINE_HEIGHT + 2 * BOX_PADDING


def diagram_drawing(diagram: model.Diagram) -> DiagramDrawing:
    """Lay out a described diagram: boxes with wrapped labels and the arrows between them."""
    if diagram.layout == "cycle":
        return _cycle(diagram)
    return _stack(diagram, arrows=diagram.layout == "sequence")


def _stack(diagram: model.Diagram, arrows: bool) -> DiagramDrawing:
    """Layers and sequences: full-width boxes top to bottom (reads well at any width)."""
    margin, gap = 8, 36 if arrows else 14
    width = DIAGRAM_WIDTH - 2 * margin
    boxes: list[DiagramBox] = []
    y = margin
    for part in diagram.parts:
        lines = _wrap(part.label, width)
        height = _box_height(lines) if part.kind == "node" else len(lines) * LINE_HEIGHT + 8
        boxes.append(DiagramBox(margin, y, width, height, lines, part.kind))
        y += height + gap
    arrow_list = []
    if arrows:
        nodes = [box for box in boxes if box.kind == "node"]
        for upper, lower in zip(nodes, nodes[1:]):
            x = DIAGRAM_WIDTH / 2
            arrow_list.append(DiagramArrow(x, upper.y + upper.height + 4, x, lower.y - 6))
    return DiagramDrawing(DIAGRAM_WIDTH, y - gap + margin, tuple(boxes), tuple(arrow_list))


def _cycle(diagram: model.Diagram) -> DiagramDrawing:
    """Nodes round a circle, clockwise from the top, each with an arrow to the next."""
    nodes = diagram.nodes
    count = max(len(nodes), 1)
    box_width = 200 if count <= 6 else 150
    wrapped = [_wrap(node.label, box_width) for node in nodes]
    tallest = max((_box_height(lines) for lines in wrapped), default=_box_height(("",)))
    radius_x = (DIAGRAM_WIDTH - box_width) / 2 - 8
    radius_y = max(tallest * 1.25, 140.0)
    centre_x, centre_y = DIAGRAM_WIDTH / 2, radius_y + tallest / 2 + 8
    boxes = []
    for index, lines in enumerate(wrapped):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        x = centre_x + radius_x * math.cos(angle)
        y = centre_y + radius_y * math.sin(angle)
        height = _box_height(lines)
        boxes.append(DiagramBox(round(x - box_width / 2, 1), round(y - height / 2, 1), box_width, height, lines, "node"))
    arrows = []
    if count > 1:
        for index, box in enumerate(boxes):
            following = boxes[(index + 1) % count]
            start = _edge_point(box, following.centre, 6)
            end = _edge_point(following, box.centre, 10)
            arrows.append(DiagramArrow(*start, *end))
    height = 2 * centre_y
    return DiagramDrawing(DIAGRAM_WIDTH, round(height, 1), tuple(boxes), tuple(arrows))


def _edge_point(box: DiagramBox, toward: tuple[float, float], gap: float) -> tuple[float, float]:
    """Where the line from a box's centre toward a point leaves the box, plus a small gap."""
    cx, cy = box.centre
    dx, dy = toward[0] - cx, toward[1] - cy
    length = math.hypot(dx, dy) or 1.0
    scale = min(
        (box.width / 2) / abs(dx) if dx else math.inf,
        (box.height / 2) / abs(dy) if dy else math.inf,
    )
    scale += gap / length
    return round(cx + dx * scale, 1), round(cy + dy * scale, 1)
