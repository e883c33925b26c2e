"""The node-graph view of the layer editor: any model as layers wired top to bottom.

The view holds no copy of the model: on every ``model_changed`` it rebuilds its
items from ``editor.project.model`` (a few dozen items; rebuilding is simpler and
cannot drift from the document), laid out in layers by longest path from the
inputs. Positions the user drags nodes to are remembered by id for the session.
Every change goes through ``editor.edit`` so it is undoable and the other views
hear of it.
"""

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QPainter, QPen, QStatusTipEvent, QTransform
from PySide6.QtWidgets import (QApplication, QFrame, QGraphicsScene, QGraphicsView,
                               QInputDialog, QMenu)

from core.errors import GraphError, WorkbenchError
from core.graph import split_ref
from core.graph_edits import (insert_after, apply_delete, apply_inputs, apply_outputs, input_arity,
                            plan_connection, plan_new_layer, plan_rename, toggled_outputs)
from ui.graph_items import EdgeItem, NodeItem, PortItem, Theme, drag_line, edge_path
from ui.graph_layout import NODE_HEIGHT, NODE_WIDTH, layered_layout
from ui.mime import LAYER_MIME_TYPE  # shared with the palette; re-exported here

MIN_ZOOM, MAX_ZOOM, MAX_FIT_ZOOM = 0.1, 4.0, 1.25


class GraphView(QGraphicsView):
    """The model as a node graph, edited through a ui.editing.ModelEditor.

    Signals:
        edit_refused(str): an edit was not made (a cycle, a duplicate name), and why.
    """

    edit_refused = Signal(str)

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.setObjectName("graph_view")
        self.setAccessibleName("graph_view")
        self.editor = editor
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._items = {}      # node id -> NodeItem
        self._edges = {}      # (target id, input slot) -> EdgeItem
        self._theme = None    # the Theme the items were made with
        self._project = None
        self._auto_fit = True  # fit on resize until the user zooms or pans
        self._syncing = False
        self._drag = None     # (source id, dashed line) while a connection is drawn
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.BoundingRectViewportUpdate)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setToolTip("Drag a node to move it; drag from its output port to another node to "
                        "connect them. Drag the background to pan, Shift+drag to select a box, "
                        "Ctrl+click to add to the selection, Ctrl+wheel or +/- to zoom, F to fit.")
        self._scene.selectionChanged.connect(self._on_scene_selection_changed)
        editor.model_changed.connect(self._on_editor_model_changed)
        editor.selection_changed.connect(self._on_editor_selection_changed)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        self._on_editor_model_changed()

    # -- public, test-friendly API ----------------------------------------------
    def node_item(self, node_id):
        """The NodeItem showing ``node_id``, or None."""
        return self._items.get(node_id)

    def edge_items(self):
        return [i for i in self._scene.items() if isinstance(i, EdgeItem)]

    def connect_nodes(self, src, dst, slot=None):
        """Feed ``src``'s output into ``dst`` as one undoable edit.

        A layer that takes one input has it replaced; a merge layer gets another
        input (or input ``slot`` replaced). A connection that would make a cycle,
        or feed an Input layer, is refused with ``edit_refused``.

        Returns:
            True if the model changed.
        """
        try:
            inputs = plan_connection(self.editor.project.model, src, dst, slot)
        except GraphError as exc:
            return self._refuse(str(exc))
        self.editor.edit(f"Connect {src} -> {dst}", lambda g: apply_inputs(g, dst, inputs))
        return True

    def disconnect(self, *args, **kwargs):
        """``disconnect(src, dst)`` removes every connection from ``src`` into ``dst``.

        Called with anything but two layer ids, it is QObject.disconnect.
        """
        if len(args) == 2 and not kwargs and all(isinstance(a, str) for a in args):
            return self.disconnect_nodes(*args)
        return super().disconnect(*args, **kwargs)

    def disconnect_nodes(self, src, dst):
        """Remove every connection from ``src`` into ``dst``; True if there was one."""
        graph = self.editor.project.model
        if dst not in graph.ids():
            return False
        inputs = [r for r in graph.node(dst).inputs if split_ref(r)[0] != src]
        if inputs == graph.node(dst).inputs:
            return False
        self.editor.edit(f"Disconnect {src} -> {dst}", lambda g: apply_inputs(g, dst, inputs))
        return True

    def selected_node_ids(self):
        """Ids of the nodes selected in the scene (Ctrl+click selects several), in graph order."""
        chosen = {i.node_id for i in self._scene.selectedItems() if isinstance(i, NodeItem)}
        return [node_id for node_id in self.editor.project.model.ids() if node_id in chosen]

    def delete_selected(self):
        """Delete the selected nodes and connections as one edit; True if any."""
        selected = self._scene.selectedItems()
        nodes = [i.node_id for i in selected if isinstance(i, NodeItem)]
        edges = [(i.target_id, i.slot) for i in selected if isinstance(i, EdgeItem)
                 and i.source_id not in nodes and i.target_id not in nodes]
        if not nodes and not edges:
            return False
        self.delete_nodes(nodes, edges)
        return True

    def delete_nodes(self, nodes, edges=()):
        """Delete nodes (consumers are rewired) and ``(target, slot)`` connections, as one edit."""
        if self.editor.selected in nodes:
            self.editor.select("")
        text = (f"Delete {', '.join(nodes)}" if nodes
                else f"Disconnect {len(edges)} connection" + "s" * (len(edges) > 1))
        self.editor.edit(text, lambda g: apply_delete(g, nodes, edges))

    def rename_node(self, old, new):
        """Rename a layer (and every reference to it); True if renamed."""
        try:
            new = plan_rename(self.editor.project.model, old, new)
        except GraphError as exc:
            return self._refuse(str(exc))
        if new == old or old not in self._items:
            return False
        self.editor.edit(f"Rename {old} to {new}", lambda g: g.rename(old, new))
        if self.editor.selected == old:
            self.editor.select(new)
        return True

    def toggle_output(self, node_id):
        """Mark ``node_id`` as a model output, or unmark it."""
        outputs, text = toggled_outputs(self.editor.project.model, node_id)
        self.editor.edit(text, lambda g: apply_outputs(g, outputs))

    def add_layer(self, class_name, scene_pos=None):
        """Add a new ``class_name`` layer fed by the selected (else the last) node, select it.

        Returns:
            The new node's id, or "" if the class is unknown.
        """
        try:
            node = plan_new_layer(self.editor.project.model, class_name, self.editor.selected)
        except WorkbenchError as exc:
            self._refuse(str(exc))
            return ""
        source = node.inputs[0] if node.inputs else None
        rewire = input_arity(class_name)[0] <= 1  # a merge layer starts a branch instead

        def add(graph):
            insert_after(graph, node, source, rewire=rewire)
            if scene_pos is not None:
                graph.layout[node.id] = [scene_pos.x() - NODE_WIDTH / 2,
                                         scene_pos.y() - NODE_HEIGHT / 2]
        self.editor.edit(f"Add {class_name}", add)
        self.editor.select(node.id)
        return node.id

    def node_menu(self, node_id):
        """The context menu of a node (its actions edit the model when triggered)."""
        menu = QMenu(self)
        is_output = node_id in self.editor.project.model.output_ids()
        toggle = QAction("Unmark as output" if is_output else "Mark as output", menu)
        toggle.triggered.connect(lambda: self.toggle_output(node_id))
        rename = QAction("Rename…", menu)
        rename.triggered.connect(lambda: self._ask_rename(node_id))
        delete = QAction("Delete", menu)
        delete.triggered.connect(lambda: self.delete_nodes([node_id]))
        for action in (toggle, rename, delete):
            menu.addAction(action)
        return menu

    def fit_to_view(self):
        """Zoom and centre so the whole graph shows (never magnified past 125 %)."""
        rect = self._scene.itemsBoundingRect()
        if rect.isEmpty():
            self.resetTransform()
            return
        rect = rect.adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.transform().m11() > MAX_FIT_ZOOM:
            self.setTransform(QTransform.fromScale(MAX_FIT_ZOOM, MAX_FIT_ZOOM))
        self.centerOn(rect.center())

    def zoom_by(self, factor, view_pos=None):
        """Zoom by ``factor`` keeping the scene point under ``view_pos`` (default: centre) still."""
        self._auto_fit = False
        current = self.transform().m11()
        factor = max(MIN_ZOOM, min(MAX_ZOOM, current * factor)) / current
        view_pos = view_pos if view_pos is not None else self.viewport().rect().center()
        before = self.mapToScene(view_pos)
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(factor, factor)
        shift = self.mapToScene(view_pos) - before
        self.translate(shift.x(), shift.y())
        self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)

    # -- rebuilding from the document ---------------------------------------------
    def _on_editor_model_changed(self):
        if self.editor.project is not self._project:  # another project: fresh layout
            self._project = self.editor.project
            self._auto_fit = True
            self.setSceneRect(QRectF())
        self._rebuild()
        if self._auto_fit:
            self.fit_to_view()

    def _rebuild(self):
        """Bring the items in line with the document, keeping every item that is still right.

        A parameter edit changes no item (its shape and count come with the analysis);
        a new layer adds one node and its edges and moves the others. Recreating all of
        a 300-layer graph's items took ~130 ms per edit (bench/editor_scale.py).
        """
        self._syncing = True
        try:
            self._cancel_drag()
            graph = self.editor.project.model
            theme = Theme.from_palette(self.palette())
            if theme != self._theme:  # the items' colours come from the palette: start afresh
                self._scene.clear()
                self._items, self._edges, self._theme = {}, {}, theme
                self.setBackgroundBrush(theme.background)
            layout = layered_layout(graph)
            self._sync_nodes(graph, layout, theme)
            self._sync_edges(graph, layout, theme)
            self._show_analysis(self.editor.analysis)
            selected = self._items.get(self.editor.selected)
            if selected is not None:
                selected.setSelected(True)
        finally:
            self._syncing = False
        self._grow_scene_rect()

    def _sync_nodes(self, graph, layout, theme):
        outputs = set(graph.output_ids())
        items, arity = {}, {}
        for node in graph.nodes:
            spec = self._node_spec(graph, node, node.id in outputs, arity)
            item = self._items.pop(node.id, None)
            if item is None or item.spec != spec:
                if item is not None:
                    self._remove_node_item(item)
                item = NodeItem(node, theme, is_output=spec[-1], slots=spec[-2],
                                class_name=spec[0])
                item.spec = spec
                self._scene.addItem(item)
            items[node.id] = item
            item.home = QPointF(*graph.layout.get(node.id, layout.positions[node.id]))
            item.setPos(item.home)
        for item in self._items.values():  # nodes no longer in the graph
            self._remove_node_item(item)
        self._items = items

    @staticmethod
    def _node_spec(graph, node, is_output, arity):
        """What a NodeItem is made from; an item whose spec is unchanged is kept.

        ``arity`` caches input_arity by class for one rebuild (a catalog lookup each).
        """
        try:
            class_name = graph.layer_node(node).class_name
        except KeyError:  # shares a missing layer: the analysis reports it
            class_name = "?"
        if class_name not in arity:
            arity[class_name] = input_arity(class_name)
        fewest, most = arity[class_name]
        n = len(node.inputs)
        slots = 0 if node.is_input else max(n + (most is None or n < most), fewest, 1)
        return (class_name, node.is_input, node.shares, n, slots, is_output)

    def _sync_edges(self, graph, layout, theme):
        edges = {}
        for node in graph.nodes:
            target = self._items[node.id]
            for slot, ref in enumerate(node.inputs):
                source = self._items.get(split_ref(ref)[0])
                if source is None:
                    continue
                # A lane is only free where the layout placed both ends.
                placed = source.node_id not in graph.layout and node.id not in graph.layout
                lane = [QPointF(x, y) for x, y in layout.lanes.get((node.id, slot), [])]
                lane = lane if placed else []
                edge = self._edges.pop((node.id, slot), None)
                if edge is not None and not (edge.source is source and edge.target is target
                                             and edge.ref == ref):
                    self._remove_edge(edge)
                    edge = None
                if edge is None:
                    edge = EdgeItem(source, target, slot, ref, theme, lane)
                    self._scene.addItem(edge)
                elif edge.lane != lane:  # moving an end clears the lane; the layout gives it back
                    edge.lane = lane
                    edge.update_path()
                edges[(node.id, slot)] = edge
        for edge in self._edges.values():  # connections no longer in the graph
            self._remove_edge(edge)
        self._edges = edges
        for item in self._items.values():
            item.output_port.set_connected(any(e.source is item for e in item.edges))

    def _remove_node_item(self, item):
        for edge in list(item.edges):
            self._remove_edge(edge)
        self._scene.removeItem(item)

    def _remove_edge(self, edge):
        for end in (edge.source, edge.target):
            if edge in end.edges:
                end.edges.remove(edge)
        if edge.scene() is not None:
            self._scene.removeItem(edge)
        if self._edges.get((edge.target_id, edge.slot)) is edge:
            del self._edges[(edge.target_id, edge.slot)]

    def _cancel_drag(self):
        if self._drag:
            self._scene.removeItem(self._drag[1])
        self._drag = None

    def _grow_scene_rect(self):
        # A margin around the graph gives room to pan; growing only, so the view never jumps.
        m = 2000
        bounds = self._scene.itemsBoundingRect().adjusted(-m, -m, m, m)
        self.setSceneRect(self.sceneRect().united(bounds))

    def _show_analysis(self, analysis):
        for node_id, item in self._items.items():
            report = analysis.nodes.get(node_id) if analysis is not None else None
            item.set_report(report, analysis.problems_for(node_id) if report else [])

    def _on_editor_analysis_ready(self, analysis):
        self._show_analysis(analysis)

    # -- selection sync -----------------------------------------------------------
    def _on_scene_selection_changed(self):
        if self._syncing:
            return
        nodes = [i.node_id for i in self._scene.selectedItems() if isinstance(i, NodeItem)]
        if self.editor.selected not in nodes:
            self.editor.select(nodes[0] if nodes else "")

    def _on_editor_selection_changed(self, node_id):
        item = self._items.get(node_id)
        selected = self._scene.selectedItems()
        if item is not None and item.isSelected() or (item is None and not selected):
            return
        self._syncing = True
        try:
            self._scene.clearSelection()
            if item is not None:
                item.setSelected(True)
                self.ensureVisible(item, 20, 20)
        finally:
            self._syncing = False

    # -- edits behind the menu ----------------------------------------------------
    def _ask_rename(self, node_id):
        new, ok = QInputDialog.getText(self, "Rename layer", f"New name for `{node_id}`:",
                                       text=node_id)
        if ok:
            self.rename_node(node_id, new)

    def _refuse(self, message):
        # A status tip reaches the main window's status bar without any wiring.
        QApplication.sendEvent(self, QStatusTipEvent(message))
        self.edit_refused.emit(message)
        return False

    # -- mouse, keys, wheel -------------------------------------------------------
    def mousePressEvent(self, event):
        item = self.itemAt(event.position().toPoint())
        if event.button() == Qt.LeftButton and isinstance(item, PortItem) and item.kind == "out":
            line = drag_line(Theme.from_palette(self.palette()))
            self._scene.addItem(line)
            self._drag = (item.node_id, line)
            self._update_drag(event)
            return
        # Dragging the background pans, Shift+dragging it selects a box; dragging a node moves it.
        if item is not None:
            mode = QGraphicsView.NoDrag
        elif event.modifiers() & Qt.ShiftModifier:
            mode = QGraphicsView.RubberBandDrag
        else:
            mode = QGraphicsView.ScrollHandDrag
        self.setDragMode(mode)
        if item is None and event.button() == Qt.LeftButton:
            self._auto_fit = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._drag:
            self._update_drag(event)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._drag:
            source, line = self._drag
            self._drag = None
            self._scene.removeItem(line)
            target = self._connect_target(event.position().toPoint())
            if target is not None and target[0] != source:
                self.connect_nodes(source, *target)
            return
        super().mouseReleaseEvent(event)
        self.setDragMode(QGraphicsView.NoDrag)
        self._remember_moves()

    def _update_drag(self, event):
        source, line = self._drag
        start = self._items[source].output_scene_pos()
        line.setPath(edge_path(start, self.mapToScene(event.position().toPoint())))

    def _connect_target(self, view_pos):
        for item in self.items(view_pos):
            if isinstance(item, PortItem) and item.kind == "in":
                return item.node_id, item.slot
            if isinstance(item, NodeItem):
                return item.node_id, None
        return None

    def _remember_moves(self):
        """Store where the user dragged nodes in the document, as one undoable edit."""
        moved = {node_id: [item.pos().x(), item.pos().y()]
                 for node_id, item in self._items.items() if item.pos() != item.home}
        if not moved:
            self._grow_scene_rect()
            return
        self._auto_fit = False
        text = f"Move {next(iter(moved))}" if len(moved) == 1 else f"Move {len(moved)} layers"
        self.editor.edit(text, lambda g: g.layout.update(moved))

    def wheelEvent(self, event):
        if event.modifiers() & Qt.ControlModifier:
            self.zoom_by(1.0015 ** event.angleDelta().y(), event.position().toPoint())
            event.accept()
            return
        self._auto_fit = False
        super().wheelEvent(event)

    def keyPressEvent(self, event):
        key = event.key()
        under = self.viewport().mapFromGlobal(QCursor.pos())
        anchor = under if self.viewport().rect().contains(under) else None
        if key in (Qt.Key_Delete, Qt.Key_Backspace):
            self.delete_selected()
        elif key in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom_by(1.25, anchor)
        elif key == Qt.Key_Minus:
            self.zoom_by(0.8, anchor)
        elif key == Qt.Key_F and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.fit_to_view()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event):
        item = self.itemAt(event.pos())
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if item is None:
            super().contextMenuEvent(event)
            return
        menu = self.node_menu(item.node_id)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit_to_view()

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and hasattr(self, "_items"):
            self._rebuild()  # the items' colours come from the palette

    def drawBackground(self, painter, rect):
        super().drawBackground(painter, rect)
        if self.transform().m11() < 0.4:
            return  # a grid that dense is noise
        step = 40
        painter.setPen(QPen(Theme.from_palette(self.palette()).grid, 0))
        for x in range(int(rect.left()) // step * step, int(rect.right()) + 1, step):
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        for y in range(int(rect.top()) // step * step, int(rect.bottom()) + 1, step):
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))

    # -- drops from the palette ---------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(LAYER_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event):
        if not event.mimeData().hasFormat(LAYER_MIME_TYPE):
            event.ignore()
            return
        class_name = bytes(event.mimeData().data(LAYER_MIME_TYPE)).decode("utf-8").strip()
        pos = self.mapToScene(event.position().toPoint())
        if class_name and self.add_layer(class_name, pos):
            event.acceptProposedAction()
        else:
            event.ignore()
