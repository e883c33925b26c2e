"""The items of the node graph: layer nodes with ports, and the edges between them.

Items only draw what they are given (a node of the graph, its latest analysis
report and problems); every edit goes through the GraphView, which owns the
ModelEditor. Colours come from a Theme made from the view's palette, so the graph
reads in light and dark themes; only the error/warning hues and the input/output
badges are fixed, chosen to read on both.
"""

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainterPath,
                           QPainterPathStroker, QPalette, QPen, QPolygonF)
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from ui.graph_layout import NODE_HEIGHT, NODE_WIDTH

PORT_RADIUS = 6.0
ERROR_COLOR = QColor("#e53935")
WARNING_COLOR = QColor("#f9a825")
INPUT_BADGE = QColor("#26a69a")
OUTPUT_BADGE = QColor("#7e57c2")
PENDING = "…"  # shown before TensorFlow has loaded and the first analysis is in
_POSITION_CHANGED = QGraphicsItem.ItemPositionHasChanged
DETAIL_LOD = 0.35  # below this zoom a node is drawn as a box: its text would be 3 px tall


@dataclass
class Theme:
    """The colours of the graph, taken from a widget palette."""

    background: QColor
    grid: QColor
    fill: QColor
    input_fill: QColor
    text: QColor
    dim_text: QColor
    border: QColor
    selected: QColor
    edge: QColor

    @classmethod
    def from_palette(cls, palette):
        text = palette.color(QPalette.Text)
        dim = QColor(text)
        dim.setAlpha(160)
        grid = QColor(text)
        grid.setAlpha(22)
        edge = QColor(text)
        edge.setAlpha(150)
        return cls(background=palette.color(QPalette.Window), grid=grid,
                   fill=palette.color(QPalette.Base),
                   input_fill=palette.color(QPalette.AlternateBase),
                   text=text, dim_text=dim, border=palette.color(QPalette.Mid),
                   selected=palette.color(QPalette.Highlight), edge=edge)


def format_shape(shape):
    """``(None, 8)`` -> ``"(None, 8)"``; several outputs are joined with ``+``."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return " + ".join(format_shape(s) for s in shape)
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def format_params(count):
    """A short parameter count: ``544``, ``12.3k``, ``4.1M``."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if count >= limit:
            return f"{count / limit:.1f}{suffix}"
    return str(count)


class PortItem(QGraphicsEllipseItem):
    """A connection point: ``kind`` "in" (with its input ``slot``) or "out"."""

    def __init__(self, node_item, kind, slot, center, theme, connected):
        r = PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        self.node_id = node_item.node_id
        self.kind = kind
        self.slot = slot
        self.setPos(center)
        self.setZValue(1)
        self.setPen(QPen(theme.border, 1.5))
        self.setBrush(theme.edge if connected else theme.fill)
        self.setAcceptHoverEvents(True)
        self._theme, self._connected = theme, connected
        if kind == "out":
            self.setCursor(Qt.CrossCursor)
            self.setToolTip("Drag onto another layer to connect")

    def set_connected(self, connected):
        self._connected = connected
        self.setBrush(self._theme.edge if connected else self._theme.fill)

    def hoverEnterEvent(self, event):
        self.setBrush(self._theme.selected)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        self.set_connected(self._connected)
        super().hoverLeaveEvent(event)


class NodeItem(QGraphicsItem):
    """One node of the graph: id, class, output shape and parameter count, ports.

    Attributes:
        node_id: the node's id (the Keras layer name).
        state: "pending" (no analysis yet), "ok", "warning", "error" or "waiting".
        edges: the EdgeItems attached to this node, redrawn when it moves.
    """

    def __init__(self, node, theme, *, is_output, slots, class_name):
        super().__init__()
        self.node_id = node.id
        self.class_name = class_name
        self.is_input = node.is_input
        self.is_output = is_output
        self.shares = node.shares
        self.state = "pending"
        self.shape_text = PENDING
        self.params_text = ""
        self.edges = []
        self.spec = None  # what the view made it from; the view keeps the item while it holds
        self._shown = ()  # the (report, problems) shown
        self.home = QPointF()  # where the view last placed it; a move away is a user drag
        self._theme = theme
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.input_ports = [PortItem(self, "in", i, self._slot_pos(i, slots), theme,
                                     i < len(node.inputs)) for i in range(slots)]
        self.output_port = PortItem(self, "out", 0, QPointF(NODE_WIDTH / 2, NODE_HEIGHT),
                                    theme, False)

    @staticmethod
    def _slot_pos(index, count):
        return QPointF(NODE_WIDTH * (index + 1) / (count + 1), 0)

    # -- what it shows --------------------------------------------------------
    def set_report(self, report, problems):
        """Show an analysis: a NodeReport (or None before the first one) and its Problems."""
        if (report, problems) == self._shown:
            return  # an edit elsewhere: most nodes of a big graph come back unchanged
        self._shown = (report, problems)
        if report is None:
            self.state, self.shape_text, self.params_text = "pending", PENDING, ""
            self.setToolTip(self._title())
        else:
            ok = report.status == "ok"
            self.shape_text = format_shape(report.output_shape) if ok else report.status
            self.params_text = f"{format_params(report.params)} params" if ok else ""
            severities = {p.severity for p in problems}
            self.state = ("error" if "error" in severities or report.status == "error"
                          else "warning" if "warning" in severities
                          else "waiting" if report.status == "waiting" else "ok")
            self.setToolTip(self._tooltip(report, problems))
        self.setOpacity(0.5 if self.state == "waiting" else 1.0)
        self.update()

    def text_lines(self):
        """The lines the node shows, top to bottom (for tests and accessibility)."""
        return [self.node_id, self._subtitle(), self.shape_text, self.params_text]

    def _subtitle(self):
        return f"{self.class_name} (shares {self.shares})" if self.shares else self.class_name

    def _title(self):
        role = (" — model input" if self.is_input
                else " — model output" if self.is_output else "")
        return f"{self.node_id}: {self._subtitle()}{role}"

    def _tooltip(self, report, problems):
        lines = [self._title(), f"Output shape: {self.shape_text}",
                 f"Parameters: {report.trainable_params:,} trainable, "
                 f"{report.non_trainable_params:,} non-trainable"]
        if report.status == "waiting":
            lines.append("Waiting: a layer upstream has an error; fix that one first.")
        lines += [f"{p.severity.capitalize()}: {p.message}" for p in problems]
        return "\n".join(lines)

    def border_color(self):
        if self.state == "error":
            return ERROR_COLOR
        if self.state == "warning":
            return WARNING_COLOR
        return self._theme.selected if self.isSelected() else self._theme.border

    # -- geometry and painting ------------------------------------------------
    def input_scene_pos(self, slot):
        ports = self.input_ports
        port = ports[min(slot, len(ports) - 1)] if ports else None
        return self.mapToScene(port.pos() if port else QPointF(NODE_WIDTH / 2, 0))

    def output_scene_pos(self):
        return self.mapToScene(self.output_port.pos())

    def boundingRect(self):
        m = PORT_RADIUS + 3
        return QRectF(-m, -m, NODE_WIDTH + 2 * m, NODE_HEIGHT + 2 * m)

    def paint(self, painter, option, widget=None):
        theme = self._theme
        rect = QRectF(0, 0, NODE_WIDTH, NODE_HEIGHT)
        painter.setBrush(theme.input_fill if self.is_input else theme.fill)
        width = 3.0 if self.isSelected() or self.state in ("error", "warning") else 1.5
        painter.setPen(QPen(self.border_color(), width))
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_LOD:
            # Zoomed out (a big graph fitted to the view): text this small cannot be read,
            # and eliding and drawing it was most of the cost of a redraw.
            painter.drawRect(rect)
            return
        painter.drawRoundedRect(rect, 8, 8)
        if self.isSelected() and self.state in ("error", "warning"):
            painter.setPen(QPen(theme.selected, 1.5))  # selected and faulty: both show
            painter.drawRoundedRect(rect.adjusted(-4, -4, 4, 4), 11, 11)
        base = QFont(painter.font())  # the view's font; the badge changes the painter's
        badge = "INPUT" if self.is_input else "OUTPUT" if self.is_output else ""
        right = NODE_WIDTH - 10
        if badge:
            right = self._paint_badge(painter, base, badge) - 6
        self._paint_text(painter, base, right)

    def _paint_badge(self, painter, base, text):
        font = QFont(base)
        font.setPointSizeF(font.pointSizeF() * 0.7)
        font.setBold(True)
        metrics = QFontMetricsF(font)
        w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
        box = QRectF(NODE_WIDTH - 8 - w, 7, w, h)
        painter.setPen(Qt.NoPen)
        painter.setBrush(INPUT_BADGE if self.is_input else OUTPUT_BADGE)
        painter.drawRoundedRect(box, h / 2, h / 2)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignCenter, text)
        return box.left()

    def _paint_text(self, painter, base, right):
        theme = self._theme
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.85)
        rows = ((bold, theme.text, self.node_id, 6, right),
                (small, theme.dim_text, self._subtitle(), 26, NODE_WIDTH - 10))
        for font, color, text, top, end in rows:
            self._draw_line(painter, font, color, text, QRectF(10, top, end - 10, 18),
                            Qt.AlignLeft)
        # The parameter count is short and always whole; the shape gets the rest.
        params_width = QFontMetricsF(small).horizontalAdvance(self.params_text) + 2
        shape_color = ERROR_COLOR if self.state == "error" else theme.text
        self._draw_line(painter, small, shape_color, self.shape_text,
                        QRectF(10, 44, NODE_WIDTH - 28 - params_width, 18), Qt.AlignLeft)
        self._draw_line(painter, small, theme.dim_text, self.params_text,
                        QRectF(NODE_WIDTH - 10 - params_width, 44, params_width, 18),
                        Qt.AlignRight)

    @staticmethod
    def _draw_line(painter, font, color, text, box, align):
        painter.setFont(font)
        painter.setPen(color)
        elided = QFontMetricsF(font).elidedText(text, Qt.ElideRight, box.width())
        painter.drawText(box, align | Qt.AlignVCenter, elided)

    def itemChange(self, change, value):
        # Called for every change of every node (~12 per node built), so it is kept
        # lean: QGraphicsItem's own itemChange only returns ``value``.
        if change == _POSITION_CHANGED:
            for edge in self.edges:
                edge.lane = []  # the lane was kept free for where the node was
                edge.update_path()
        return value


class EdgeItem(QGraphicsPathItem):
    """The connection from ``source``'s output to input ``slot`` of ``target``.

    Attributes:
        ref: the input reference as the graph holds it (``"dense"`` or ``"lstm:1"``).
        lane: for a connection that skips rows, the top of the free lane the layout
            kept for it in each row it crosses (empty: drawn straight across).
    """

    def __init__(self, source, target, slot, ref, theme, lane=()):
        super().__init__()
        self.source, self.target, self.slot, self.ref = source, target, slot, ref
        self.lane = list(lane)
        self._theme = theme
        self.setZValue(-1)
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setToolTip(f"{ref} → {target.node_id} (input {slot}); select and press "
                        "Delete to disconnect")
        source.edges.append(self)
        target.edges.append(self)
        source.output_port.set_connected(True)
        self.update_path()

    @property
    def source_id(self):
        return self.source.node_id

    @property
    def target_id(self):
        return self.target.node_id

    def update_path(self):
        path = edge_path(self.source.output_scene_pos(), self.target.input_scene_pos(self.slot),
                         self.lane)
        # The scene asks for the bounds of every item whenever it indexes or finds
        # items; stroking the curve each time was a third of a 300-layer redraw.
        stroker = QPainterPathStroker()
        stroker.setWidth(12)  # a thin curve is hard to click
        self.prepareGeometryChange()
        self._shape = stroker.createStroke(path)
        self._bounds = self._shape.boundingRect()
        self.setPath(path)

    def shape(self):
        return self._shape

    def boundingRect(self):
        return self._bounds

    def paint(self, painter, option, widget=None):
        color = self._theme.selected if self.isSelected() else self._theme.edge
        painter.setPen(QPen(color, 3.0 if self.isSelected() else 1.6))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_LOD:
            return  # an arrow head a pixel wide is noise
        tip = self.path().currentPosition()
        painter.setPen(Qt.NoPen)
        painter.setBrush(color)
        r = PORT_RADIUS
        painter.drawPolygon(QPolygonF([tip - QPointF(0, r - 1), tip - QPointF(5, r + 8),
                                       tip - QPointF(-5, r + 8)]))


def edge_path(start, end, lane=()):
    """Vertical S-curves from an output port to an input port, down each lane on the way."""
    path = QPainterPath(start)
    for top in lane:
        _curve_to(path, top)
        path.lineTo(top + QPointF(0, NODE_HEIGHT))
    _curve_to(path, end)
    return path


def _curve_to(path, end):
    start = path.currentPosition()
    bend = max(40.0, abs(end.y() - start.y()) / 2)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)


def drag_line(theme):
    """The dashed line that follows the mouse while a connection is being drawn."""
    item = QGraphicsPathItem()
    item.setPen(QPen(QBrush(theme.selected), 2, Qt.DashLine))
    item.setZValue(10)
    return item
