"""The layer palette: every catalogued Keras layer, grouped, searchable, the common set first.

A layer is added by dragging it onto the model (the drag carries LAYER_MIME_TYPE
with the class name), by double-click, or by Enter in the search box (the first
match). Added from here, a layer goes after the selected one, into its path.
The catalog needs Keras, so the palette reads "Loading layers…" until the
editor's first analysis (TensorFlow has loaded by then).
"""

from PySide6.QtCore import QMimeData, Qt, Slot
from PySide6.QtWidgets import (QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from core.errors import WorkbenchError
from core.graph import Node
from core.graph_edits import insert_after, insertion_source, keras_snake_case
from ui.mime import LAYER_MIME_TYPE

LOADING_TEXT = "Loading layers…"


class _PaletteTree(QTreeWidget):
    """The tree of groups and layers; a dragged layer carries its class name."""

    def mimeTypes(self):
        return [LAYER_MIME_TYPE]

    def mimeData(self, items):
        names = [item.data(0, Qt.UserRole) for item in items if item.data(0, Qt.UserRole)]
        if not names:
            return None
        data = QMimeData()
        data.setData(LAYER_MIME_TYPE, names[0].encode("utf-8"))
        data.setText(names[0])
        return data


class LayerPalette(QWidget):
    """Search box above the grouped layer tree; adds layers to ``editor``'s model."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.setObjectName("layer_palette")
        self.setAccessibleName("layer_palette")
        self.editor = editor
        self.search = QLineEdit(self, objectName="layer_search", clearButtonEnabled=True)
        self.search.setAccessibleName("layer_search")
        self.tree = _PaletteTree(self, objectName="layer_palette_tree", headerHidden=True)
        self.tree.setAccessibleName("layer_palette_tree")
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        self._groups = {}  # group -> its QTreeWidgetItem
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        editor.analysis_ready.connect(self._on_editor_analysis_ready)
        if editor.keras_ready:
            self.populate()
        else:
            self._show_loading()

    def _show_loading(self):
        self.search.setEnabled(False)
        self.search.setPlaceholderText(LOADING_TEXT)
        item = QTreeWidgetItem(self.tree, [LOADING_TEXT])
        item.setFlags(Qt.NoItemFlags)

    # -- filling --------------------------------------------------------------------
    def populate(self):
        """Fill the tree from the catalog (imports Keras if it is not loaded yet)."""
        from core.catalog import layer_catalog, layer_groups

        catalog = layer_catalog()
        self.tree.clear()
        self._groups = {}
        for group, names in layer_groups().items():
            group_item = QTreeWidgetItem(self.tree)
            group_item.setFlags(Qt.ItemIsEnabled)
            font = group_item.font(0)
            font.setBold(True)
            group_item.setFont(0, font)
            for name in names:
                self._layer_item(group_item, catalog[name])
            self._groups[group] = group_item
        self.search.setEnabled(True)
        self.search.setPlaceholderText("Search layers (name or description)")
        self.filter(self.search.text())

    def _layer_item(self, parent, spec):
        item = QTreeWidgetItem(parent, [spec.class_name])
        item.setData(0, Qt.UserRole, spec.class_name)
        words = [spec.class_name, *spec.aliases, spec.summary]
        item.setData(0, Qt.UserRole + 2, " ".join(words).lower())
        item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        tip = [f"{spec.class_name}: {spec.summary}"]
        if spec.note:
            tip.append(spec.note)
        if spec.aliases:
            tip.append("Also called " + ", ".join(spec.aliases) + ".")
        tip.append("Double-click, or drag onto the model, to add it.")
        item.setToolTip(0, "\n".join(tip))
        return item

    def is_populated(self):
        return bool(self._groups)

    def group_names(self):
        """The groups in display order (``"common"`` first)."""
        return list(self._groups)

    def visible_layers(self, group=None):
        """Class names shown now (after the search), in order; of one group if given."""
        names = []
        for name, group_item in self._groups.items():
            if group in (None, name) and not group_item.isHidden():
                names += [group_item.child(i).data(0, Qt.UserRole)
                          for i in range(group_item.childCount())
                          if not group_item.child(i).isHidden()]
        return names

    def layer_item(self, class_name, group="common"):
        """The item of ``class_name`` in ``group`` (for drags and tests), or None."""
        group_item = self._groups.get(group)
        for i in range(group_item.childCount() if group_item else 0):
            if group_item.child(i).data(0, Qt.UserRole) == class_name:
                return group_item.child(i)
        return None

    # -- search ---------------------------------------------------------------------
    def filter(self, text):
        """Show the layers whose name, alias or summary contains ``text`` (all when empty).

        While searching, a common layer is listed once, in the common group, and every
        group with a match is open; an empty search restores the usual view.
        """
        words = text.lower().split()
        shown_in_common = set()
        for name, group_item in self._groups.items():
            matches = 0
            for i in range(group_item.childCount()):
                child = group_item.child(i)
                class_name = child.data(0, Qt.UserRole)
                hit = all(w in child.data(0, Qt.UserRole + 2) for w in words)
                hit = hit and not (words and name != "common" and class_name in shown_in_common)
                if hit and name == "common":
                    shown_in_common.add(class_name)
                child.setHidden(not hit)
                matches += hit
            group_item.setText(0, f"{name.capitalize()}  ({matches})")
            group_item.setHidden(matches == 0)
            group_item.setExpanded(bool(words) or name == "common")

    def first_match(self):
        """The first layer shown, or ""."""
        names = self.visible_layers()
        return names[0] if names else ""

    # -- adding ---------------------------------------------------------------------
    def add_layer(self, class_name):
        """Add a new ``class_name`` after the selected layer (or at the end) and select it.

        Returns:
            The new node's id, or "" when the class cannot be added.
        """
        from core.catalog import default_config, layer_spec

        try:
            spec = layer_spec(class_name)
            config = default_config(class_name)
        except WorkbenchError:
            return ""
        graph = self.editor.project.model
        node = Node(graph.unique_id(keras_snake_case(spec.class_name)), spec.class_name, config)
        source = insertion_source(graph, self.editor.selected)
        self.editor.edit(f"Add {spec.class_name}",
                         lambda g: insert_after(g, node, source, rewire=spec.min_inputs <= 1))
        self.editor.select(node.id)
        return node.id

    # -- slots ----------------------------------------------------------------------
    @Slot(object)
    def _on_editor_analysis_ready(self, analysis):
        if not self.is_populated():
            self.populate()

    @Slot(str)
    def _on_search_text_changed(self, text):
        self.filter(text)

    @Slot()
    def _on_search_return_pressed(self):
        name = self.first_match()
        if name:
            self.add_layer(name)

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_double_clicked(self, item, column):
        class_name = item.data(0, Qt.UserRole)
        if class_name:
            self.add_layer(class_name)
