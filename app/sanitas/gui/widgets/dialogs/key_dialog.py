"""Give the workbench a pseudonymization key: create one, pick a key file, or read an environment variable.

Pseudonyms are keyed: the same key gives the same pseudonyms in every release, so the key is a secret
the analyst keeps outside the recipe. A created key is shown once here (to copy into a password
manager) and can be saved as a key file only its owner can read (0600). The choice holds for this
session; nothing is written to the recipe, the settings or the report.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.errors import SanitasError
from sanitas.core.keys import new_key
from sanitas.core.recipe import Recipe
from sanitas.gui.key_store import DEFAULT_KEY, SessionKeys, environment_has

ENV, FILE, CREATE = 0, 1, 2


class KeyDialog(QDialog):
    """Choose where a key comes from for this session; ``accept`` applies it to the SessionKeys."""

    use_native_dialogs = os.environ.get("QT_QPA_PLATFORM") != "offscreen"

    def __init__(self, keys: SessionKeys, recipe: Recipe, recipe_dir: Path | None, parent: QWidget | None = None,
                 *, name: str | None = None) -> None:
        super().__init__(parent)
        self.keys, self.recipe, self.recipe_dir = keys, recipe, recipe_dir
        self.created: str | None = None
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle("Pseudonymization key")
        self.setAccessibleName("Pseudonymization key")
        names = list(dict.fromkeys([*keys.names_needed(recipe), *recipe.keys, DEFAULT_KEY]))

        intro = QLabel("Pseudonyms are computed with a secret key: the same key gives the same pseudonyms in "
                       "every release, and nobody without it can recompute them. Sanitas never writes the key "
                       "into the recipe, its settings or the report.", self)
        intro.setWordWrap(True)
        self.name_combo = QComboBox(self)
        self.name_combo.setAccessibleName("Key name")
        self.name_combo.addItems(names)
        self.name_combo.setCurrentText(name or (names[0] if names else DEFAULT_KEY))
        self.name_combo.setVisible(len(names) > 1)

        self.env_radio = QRadioButton("Read it from an &environment variable:", self)
        self.env_edit = QLineEdit(self)
        self.env_edit.setAccessibleName("Environment variable")
        self.env_state = QLabel(self)
        self.file_radio = QRadioButton("Use a key &file:", self)
        self.file_edit = QLineEdit(self)
        self.file_edit.setAccessibleName("Key file")
        self.file_edit.setPlaceholderText("a file holding the key (at least 16 characters)")
        self.browse_button = QPushButton("&Choose…", self)
        self.browse_button.setAccessibleName("Choose a key file")
        self.create_radio = QRadioButton("Create a &new random key", self)
        self.create_button = QPushButton("C&reate key", self)
        self.create_button.setAccessibleName("Create a new random key")
        self.key_edit = QLineEdit(self)
        self.key_edit.setReadOnly(True)
        self.key_edit.setAccessibleName("The new key")
        self.key_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton("Co&py", self)
        self.copy_button.setAccessibleName("Copy the new key")
        self.save_button = QPushButton("&Save to key file…", self)
        self.save_button.setAccessibleName("Save the new key to a key file")
        self.save_button.setToolTip("Write the key to a new file only you can read (permissions 0600)")
        self.create_note = QLabel("Shown once: copy it to your password manager, or save it to a key file. "
                                  "Without a key file it is kept in memory until Sanitas closes.", self)
        self.create_note.setWordWrap(True)
        self.group = QButtonGroup(self)
        for i, radio in enumerate((self.env_radio, self.file_radio, self.create_radio)):
            self.group.addButton(radio, i)

        grid = QGridLayout()
        grid.addWidget(self.env_radio, 0, 0)
        grid.addWidget(self.env_edit, 0, 1)
        grid.addWidget(self.env_state, 1, 1)
        grid.addWidget(self.file_radio, 2, 0)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        grid.addLayout(file_row, 2, 1)
        grid.addWidget(self.create_radio, 3, 0)
        create_row = QHBoxLayout()
        create_row.addWidget(self.create_button)
        create_row.addWidget(self.key_edit, 1)
        create_row.addWidget(self.copy_button)
        create_row.addWidget(self.save_button)
        grid.addLayout(create_row, 3, 1)
        grid.addWidget(self.create_note, 4, 1)
        grid.setColumnStretch(1, 1)

        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("keyProblem")
        self.problem_label.setAccessibleName("Key problem")
        self.problem_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Use this key")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(self.name_combo)
        top.addStretch(1)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.group.idClicked.connect(lambda _id: self._validate())
        self.env_edit.textChanged.connect(lambda _t: self._choose(ENV))
        self.file_edit.textChanged.connect(lambda _t: self._choose(FILE))
        self.browse_button.clicked.connect(self.browse)
        self.create_button.clicked.connect(self.create_key)
        self.copy_button.clicked.connect(self.copy_key)
        self.save_button.clicked.connect(self.save_key)
        self.name_combo.currentTextChanged.connect(lambda _t: self._load())
        self._load()
        self.resize(720, self.sizeHint().height())

    # --- state -------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.name_combo.currentText() or DEFAULT_KEY

    @property
    def problem(self) -> str:
        return self.problem_label.text().removeprefix("⚠ ").removeprefix("✔ ") if not self.ok_button.isEnabled() \
            else ""

    def _load(self) -> None:
        """Start from where the key comes from now (the session's choice, else the recipe's reference)."""
        ref = self.keys.ref(self.name, self.recipe)
        source = self.keys.source(self.name)
        self._quiet = True
        self.env_edit.setText(ref.env if ref is not None and ref.env else "SANITAS_KEY")
        self.file_edit.setText(ref.file if ref is not None and ref.file and (source is None or source.kind == "file")
                               else "")
        self._quiet = False
        self.created = source.material if source is not None and source.kind == "memory" else None
        self.key_edit.setText("(created earlier in this session: not shown again)" if self.created else "")
        if source is not None and source.kind == "memory":
            self.create_radio.setChecked(True)
        elif ref is not None and ref.file:
            self.file_radio.setChecked(True)
        else:
            self.env_radio.setChecked(True)
        self._validate()

    def _choose(self, which: int) -> None:
        if not getattr(self, "_quiet", False):
            self.group.button(which).setChecked(True)
        self._validate()

    def _validate(self) -> bool:
        which = self.group.checkedId()
        variable = self.env_edit.text().strip()
        self.env_state.setText(f"✔ {variable} is set" if variable and environment_has(variable) else
                               f"✖ {variable or 'the variable'} is not set in the environment Sanitas started in")
        self.copy_button.setEnabled(bool(self.created) and not self.key_edit.text().startswith("("))
        self.save_button.setEnabled(bool(self.created))
        problem = ""
        if which == ENV:
            problem = self._check({"env": variable}) if variable else "Name the environment variable."
        elif which == FILE:
            text = self.file_edit.text().strip()
            problem = self._check({"file": str(Path(text).expanduser())}) if text else "Choose the key file."
        elif not self.created:
            problem = "Press Create key to make one."
        self.problem_label.setText(f"⚠ {problem}" if problem else "✔ The key can be read.")
        self.problem_label.setStyleSheet("color: #d1242f;" if problem else "color: #1a7f37;")
        self.ok_button.setEnabled(not problem)
        return not problem

    def _check(self, ref: dict[str, str]) -> str:
        from sanitas.core.keys import KeyRef, KeyRing

        try:
            KeyRing({self.name: KeyRef(**ref)}, self.recipe_dir)(self.name)
        except SanitasError as exc:
            return _for_the_workbench(exc.message)
        return ""

    # --- actions -----------------------------------------------------------------------------------
    def create_key(self) -> None:
        self.created = new_key()
        self.key_edit.setText(self.created)
        self.create_radio.setChecked(True)
        self._validate()

    def copy_key(self) -> None:
        if self.created:
            QGuiApplication.clipboard().setText(self.created)

    def save_key(self, path: Path | None = None) -> QFileDialog | None:
        """Save the created key to a new 0600 file: at ``path``, or where a save dialog says."""
        if path is not None:
            self._save_to(Path(path))
            return None
        dialog = QFileDialog(self, "Save the new key to")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.use_native_dialogs)
        if self.recipe_dir is not None:
            dialog.setDirectory(str(self.recipe_dir))
        dialog.selectFile(f"{self.name}.key")
        dialog.fileSelected.connect(lambda chosen: self._save_to(Path(chosen)))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def _save_to(self, path: Path) -> None:
        if not self.created:
            return
        from sanitas.core.keys import write_key_file

        try:
            write_key_file(path, self.created)
        except SanitasError as exc:
            self.problem_label.setText(f"⚠ {exc.message}")
            self.problem_label.setStyleSheet("color: #d1242f;")
            return
        self.file_edit.setText(str(path))  # from now on the key comes from that file
        self.file_radio.setChecked(True)
        self._validate()

    def browse(self) -> QFileDialog:
        dialog = QFileDialog(self, "Choose the key file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.use_native_dialogs)
        if self.recipe_dir is not None:
            dialog.setDirectory(str(self.recipe_dir))
        dialog.fileSelected.connect(self.file_edit.setText)
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def accept(self) -> None:
        if not self._validate():
            return
        which = self.group.checkedId()
        if which == ENV:
            self.keys.use_env(self.name, self.env_edit.text().strip())
        elif which == FILE:
            self.keys.use_file(self.name, Path(self.file_edit.text().strip()).expanduser())
        elif self.created:
            self.keys.use_memory(self.name, self.created)
        super().accept()


def _for_the_workbench(message: str) -> str:
    """The core's key messages speak of recipes and the command line; say it the workbench's way."""
    message = message.split(" Set it to a secret", 1)[0]
    if "too short" in message:
        return message.split(": use at least", 1)[0] + ": a key needs at least 16 characters; create a new one."
    return message
