"""Run on Spark...: hand the current recipe to the Spark engine, in a child `sanitas apply --engine spark`.

The workbench never imports PySpark (import-linter forbids it): the run is the CLI's, in its own process,
so the JVM lives and dies with it. The master URL comes from the core's settings (``spark_master``, shared
with the CLI) and can be changed for this run; the recipe must be saved first, because the child reads it
from its file (keys are resolved relative to it). Cancel sends the child Ctrl-C (SIGINT): it cancels the
Spark job and removes the half-written output folder.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sanitas.core.settings import load_settings

SPARK_OUTPUTS = "Parquet folder (*.parquet);;CSV folder (*.csv)"


def spark_command(source: Path, recipe: Path, output: Path, master: str) -> list[str]:
    """The child's command line (the same interpreter, so the same installed sanitas and pyspark)."""
    return [sys.executable, "-m", "sanitas.cli.main", "apply", str(source), "--recipe", str(recipe), "-o", str(output),
            "--engine", "spark", "--master", master]


class SparkRunDialog(QDialog):
    """Master URL and output folder, then the child's output as it runs."""

    def __init__(self, source: Path, recipe: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run on Spark")
        self.source, self.recipe = source, recipe
        self.master = QLineEdit(load_settings().spark_master)
        self.master.setAccessibleName("Spark master URL")
        self.output = QLineEdit(str(source.with_name(source.stem + ".spark.parquet")))
        self.output.setAccessibleName("Output folder")
        browse = QPushButton("Choose...")
        browse.clicked.connect(self._choose_output)
        row = QHBoxLayout()
        row.addWidget(self.output)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Master URL:", self.master)
        form.addRow("Output:", row)
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setAccessibleName("Spark run output")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.run_button = self.buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel run", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button.setEnabled(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.exit_code: int | None = None

    def _choose_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Spark output folder", self.output.text(), SPARK_OUTPUTS)
        if path:
            self.output.setText(path)

    def start(self) -> None:
        command = spark_command(self.source, self.recipe, Path(self.output.text()).expanduser(),
                                self.master.text().strip() or "local[*]")
        self.log.appendPlainText(f"Running on Spark ({command[-1]})...")
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.process.start(command[0], command[1:])

    def cancel(self) -> None:
        pid = self.process.processId()
        if pid:
            os.kill(pid, signal.SIGINT)  # the CLI cancels the Spark job and cleans up

    def _read(self) -> None:
        self.log.appendPlainText(bytes(self.process.readAllStandardOutput().data()).decode(errors="replace").rstrip())

    def _finished(self, code: int, _status: object) -> None:
        self.exit_code = code
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.log.appendPlainText({0: "Done.", 3: "Withheld: residual findings.", 130: "Cancelled."}.get(
            code, f"Stopped (exit code {code}): see the message above."))

    def reject(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.cancel()
            self.process.waitForFinished(10_000)
        super().reject()


def run_on_spark(window: QMainWindow) -> SparkRunDialog | None:
    """The action: the open dataset's file and the saved recipe go to a SparkRunDialog."""
    doc = window.doc  # type: ignore[attr-defined]
    source = doc.dataset.source if doc.dataset is not None else None
    if source is None:
        QMessageBox.information(window, "Run on Spark", "Open a Parquet or CSV file (or folder) first.")
        return None
    if (doc.recipe_path is None or doc.dirty) and not window.save_recipe():  # type: ignore[attr-defined]
        return None
    dialog = SparkRunDialog(Path(source), Path(doc.recipe_path), window)
    dialog.show()
    return dialog


def add_spark_action(window: QMainWindow) -> QAction:
    """Put "Run on Spark..." in the File menu, after Export (the one hook main_window calls)."""
    action = QAction("Run on &Spark…", window)
    action.setObjectName("run-on-spark")
    action.setStatusTip("Apply the recipe on Apache Spark (the master URL is in the settings)")
    action.triggered.connect(lambda: run_on_spark(window))
    export = window.actions.export  # type: ignore[attr-defined]
    menu = next(w for w in export.associatedObjects() if isinstance(w, QMenu))
    actions = menu.actions()
    following = actions[actions.index(export) + 1] if actions.index(export) + 1 < len(actions) else None
    menu.insertAction(following, action) if following is not None else menu.addAction(action)
    return action
