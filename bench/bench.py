"""alletter's benchmark: synthetic archive, naive baseline, batch build, no-op rebuild, start-up, memory.

    .venv/bin/python bench/bench.py [--cases 1000] [--baseline-sample 20] [--repeat 3] [--jobs 2]

It copies the letter project (templates, annexes, registry) into a temporary directory, writes
N synthetic case files varied from the project's cases — every kind: to States and companies, AL,
UA and OL, first letters and follow-ups with or without a reply, one mandate or several —
(references, dates, recipients, questions, closing paragraphs, annexes), and measures, in one
run so that ratios compare like with like on a noisy machine:

(a) baseline: the naive pipeline, one letter after another — one pandoc process per output
    (Markdown → DOCX, Markdown → typst with our template and filter) and a fresh typst compile
    per PDF — on a sample of the letters, as seconds per letter;
(b) `alletter build --jobs J` of all N cases, DOCX and PDF, from an empty output directory;
(c) the same command again with nothing changed (the no-op rebuild);
(d) `alletter --help` (start-up);
(e) peak memory of the build's whole process tree, in runs of (b) of their own (sampling it
    every 20 ms costs CPU that would slow the timed runs); the median of the runs' peaks, and the
    highest;
(f) `alletter watch` on one letter: from a save of its case file to the new PDF in place, over
    five saves (the drafter's loop);
(g) `alletter import PDFS… --out cases/ --jobs J` of a sample of (b)'s PDFs in one command,
    against one `alletter import` process per letter on the same letters, as letters per second.

Each is repeated and reported as the median; throughputs are letters per second.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
ALLETTER = Path(sys.executable).with_name("alletter")
PROJECT_PARTS = ("templates", "annexes", "mandates.yaml", "states.yaml")
RECIPIENTS = [
    ("Ms. Pappas", "Dear Ms. Pappas,", ["TikTok"]),
    ("Mr. Leif K-Brooks", "Mr. Leif K-Brooks,", ["Omegle LCC"]),
    ("Ms. Amara Okafor", "Dear Ms. Okafor,", ["Example Media Ltd.", "Lagos"]),
    ("Mr. José Álvarez", "Dear Mr. Álvarez,", ["Plataforma Ejemplo S.A.", "Madrid"]),
    ("Dr. Li Wei", "Dear Dr. Li,", ["Sample Networks Inc."]),
]


# --- the synthetic archive --------------------------------------------------------------------


def synthetic_case(template: dict, number: int, rng: random.Random) -> dict:
    """A case varied from one of the project's: of the same kind, still valid, but with its own
    reference, date, text and choices."""
    case = json.loads(json.dumps(template, default=str))
    letter_type, country, _ = case["reference"].split(" ", 2)
    case["reference"] = f"{letter_type} {country} {number}/2023"
    # The template's own date: the registry knows its mandates' holders and resolutions on it.
    if case["recipient"]["kind"] != "state":
        name, salutation, address = rng.choice(RECIPIENTS)
        case["recipient"] = {"kind": case["recipient"]["kind"], "name": name, "salutation": salutation, "address": address}
    case.pop("related", None)  # a synthetic letter's related letter is not in the archive
    questions = case["questions"]
    keep = rng.randint(max(1, len(questions) - 3), len(questions))
    case["questions"] = [
        f"{question} (case {number})" if index == 0 else question for index, question in enumerate(questions[:keep])
    ]
    case["paragraphs"] = [f"This synthetic letter, number {number}, tests the archive."] + case.get("paragraphs", [])
    # One mandate speaks as "I": only the closing paragraphs with a published singular. Listed in
    # the order the letter prints them (templates/kinds.yaml), as `import` writes them back.
    closings = (
        ["press-release"]
        if len(case["mandates"]) == 1
        else (["engagement-offer"] if country == "OTH" else []) + ["technical-support", "press-release"]
    )
    chosen = rng.sample(closings, rng.randint(0, min(2, len(closings))))
    case["closing_paragraphs"] = sorted(chosen, key=closings.index)
    if rng.random() < 0.5:
        case["annexes"] = []
    return case


def make_project(directory: Path, count: int, seed: int = 2023) -> list[Path]:
    """A copy of the letter project with `count` synthetic case files; returns their paths."""
    for part in PROJECT_PARTS:
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, directory / part)
    cases = directory / "cases"
    cases.mkdir()
    # Varied from the English cases only: the French and Spanish examples take mandates and annexes
    # their languages may lack, and the archive measured stays the one measured before them.
    loaded = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((REPO / "cases").glob("*.yaml"))]
    published = [case for case in loaded if case.get("language", "en") == "en"]
    rng = random.Random(seed)
    paths = []
    for number in range(100, 100 + count):
        case = synthetic_case(published[number % len(published)], number, rng)
        path = cases / f"{case['reference'].replace(' ', '-').replace('/', '-')}.yaml"
        path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


# --- measurements -------------------------------------------------------------------------------


def watch_seconds_per_save(project: Path, saves: int = 5) -> list[float]:
    """`alletter watch` on one case: for each save, the time until its PDF is replaced."""
    case = project / "cases" / "UA-BRA-1-2023.yaml"
    shutil.copy(REPO / "cases" / case.name, case)
    pdf = project / "watched" / "UA-BRA-1-2023.pdf"
    process = subprocess.Popen(
        [str(ALLETTER), "watch", str(case), "--out", str(pdf.parent)],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    times = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("watching"):
                break
        text = case.read_text(encoding="utf-8")
        for save in range(saves):
            before = pdf.stat().st_mtime_ns
            started = time.perf_counter()
            case.write_text(text.replace("to her to date.", f"to her to date ({save})."), encoding="utf-8")
            while pdf.stat().st_mtime_ns == before:
                if time.perf_counter() - started > 30:
                    raise SystemExit("alletter watch did not rebuild the letter within 30 s")
                time.sleep(0.002)
            times.append(time.perf_counter() - started)
            time.sleep(0.5)  # a drafter does not save twice in the same half second
    finally:
        # SIGTERM, as `timeout` sends: a background job's SIGINT may be ignored from its start.
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)
    return times


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_of(repeat: int, action: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        times.append(timed(action))
    return statistics.median(times)


def baseline_seconds_per_letter(project: Path, case_paths: list[Path]) -> float:
    """The naive pipeline: a pandoc process per output and a fresh typst compile per PDF.

    Same stages, templates, variables and PDF standard as alletter; only the processes differ.
    """
    import pypandoc
    import typst

    from alletter.letter.builder import LetterBuilder
    from alletter.letter.pandoc import PANDOC_READER
    from alletter.letter.render import render
    from alletter.letter.typst import PDF_STANDARDS, TYPST_WRITER
    from alletter.letter.validate import load_case
    from alletter.project.letter_project import TYPST_BLOCKS, TYPST_FILTER, TYPST_FONTS_DIR, TYPST_TEMPLATE, LetterProject

    letter_project = LetterProject(project)
    templates = letter_project.templates_dir
    builder = LetterBuilder(letter_project, project / "baseline", ("docx", "pdf"))
    reference_doc = templates / "reference.docx"
    docx_arguments = ["--sandbox", f"--reference-doc={reference_doc}"] if reference_doc.is_file() else ["--sandbox"]
    typst_arguments = [
        "--sandbox",
        f"--template={templates / TYPST_TEMPLATE}",
        f"--lua-filter={templates / TYPST_FILTER}",
        "--wrap=none",
    ]
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copyfile(templates / TYPST_BLOCKS, Path(scratch, TYPST_BLOCKS))  # the page imports it
        for path in case_paths:
            started = time.perf_counter()
            valid = load_case(path, letter_project)
            rendered = render(valid, letter_project)
            markdown = rendered.markdown
            metadata = builder._metadata(valid, rendered)
            fields = builder.converter.page_variables(metadata)
            variables = [f"--metadata={key}={value}" for key, value in fields["metadata"].items()]
            variables += [f"--variable={key}={value}" for key, value in fields["variables"].items()]
            pypandoc.convert_text(
                markdown, "docx", format=PANDOC_READER, outputfile=f"{scratch}/letter.docx", extra_args=docx_arguments
            )
            source = pypandoc.convert_text(markdown, TYPST_WRITER, format=PANDOC_READER, extra_args=typst_arguments + variables)
            Path(scratch, "letter.typ").write_text(source, encoding="utf-8")
            typst.compile(
                f"{scratch}/letter.typ",
                output=f"{scratch}/letter.pdf",
                root=scratch,
                font_paths=[str(templates / TYPST_FONTS_DIR)],
                ignore_system_fonts=True,
                pdf_standards=list(PDF_STANDARDS),
            )
            times.append(time.perf_counter() - started)
    builder.close()
    return statistics.median(times)


class TreeMemory:
    """Peak memory of a process and all its descendants, sampled every 20 ms.

    Two sums: RSS counts a shared page (python, the typst library) once per process that maps
    it, an upper bound; PSS divides each shared page among the processes sharing it, so it adds
    up to what the tree really occupies.
    """

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.peak_pss, self._done = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        pids, index = [pid], 0
        while index < len(pids):
            try:
                for task in Path(f"/proc/{pids[index]}/task").iterdir():
                    pids.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                pass
            index += 1
        return pids

    @staticmethod
    def _memory(pid: int) -> tuple[int, int]:
        """(RSS, PSS) in bytes, from /proc/PID/smaps_rollup."""
        values = {"Rss:": 0, "Pss:": 0}
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, *rest = line.split()
                if name in values:
                    values[name] = int(rest[0]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return values["Rss:"], values["Pss:"]

    def _sample(self) -> None:
        while not self._done.is_set():
            samples = [self._memory(pid) for pid in self._tree(self.pid)]
            self.peak = max(self.peak, sum(rss for rss, _ in samples))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in samples))
            self._done.wait(0.02)

    def stop(self) -> tuple[int, int]:
        self._done.set()
        self._thread.join()
        return self.peak, self.peak_pss


def run_build(project: Path, out: Path, jobs: int, measure_memory: bool = False) -> tuple[int, int]:
    """`alletter build` of the whole project; with `measure_memory`, the peak memory (RSS, PSS) of its
    process tree, else (0, 0)."""
    process = subprocess.Popen(
        [str(ALLETTER), "build", "--out", str(out), "--jobs", str(jobs)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    memory = TreeMemory(process.pid) if measure_memory else None
    _, stderr = process.communicate()
    peak = memory.stop() if memory else (0, 0)
    if process.returncode != 0:
        raise SystemExit(f"alletter build failed:\n{stderr.decode()[-2000:]}")
    return peak


def import_letters_per_s(project: Path, pdfs: list[Path], jobs: int) -> tuple[float, float]:
    """Letters per second importing `pdfs`: all in one batch command, and one process per letter."""
    batch_out, single_out = project / "imported-batch", project / "imported-single"
    for directory in (batch_out, single_out):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
    root = ["--root", str(project)]
    command = [str(ALLETTER), "import", *root, *map(str, pdfs), "--out", str(batch_out), "--jobs", str(jobs)]
    batch = timed(lambda: subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def one_each() -> None:
        for pdf in pdfs:
            target = single_out / f"{pdf.stem}.yaml"
            single = [str(ALLETTER), "import", *root, str(pdf), "--out", str(target)]
            subprocess.run(single, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    single = timed(one_each)
    return len(pdfs) / batch, len(pdfs) / single


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="synthetic case files (default 1000)")
    parser.add_argument("--baseline-sample", type=int, default=20, help="letters the slow baseline converts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is reported")
    parser.add_argument("--jobs", type=int, default=2, help="alletter build --jobs")
    parser.add_argument("--import-sample", type=int, default=40, help="PDFs imported for (g)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="alletter-bench-") as scratch:
        project = Path(scratch)
        case_paths = make_project(project, options.cases)
        out = project / "dist"
        print(f"{options.cases} synthetic cases in {project}; repeat {options.repeat}, jobs {options.jobs}", flush=True)

        sample = case_paths[: options.baseline_sample]
        baseline = statistics.median(baseline_seconds_per_letter(project, sample) for _ in range(options.repeat))
        print(f"(a) baseline: {baseline * 1000:.0f} ms per letter", flush=True)

        def from_scratch() -> None:
            shutil.rmtree(out, ignore_errors=True)

        build = median_of(options.repeat, lambda: run_build(project, out, options.jobs), before=from_scratch)
        print(f"(b) build: {build:.2f} s", flush=True)
        # Memory in a run of its own: reading smaps_rollup of five processes costs ≈15 ms of CPU per
        # sample, which would take a sixth of the machine from the timed builds.
        peaks = []
        for _ in range(options.repeat):
            from_scratch()
            peaks.append(run_build(project, out, options.jobs, measure_memory=True))
        peak_rss = statistics.median(rss for rss, _ in peaks)
        peak_pss = statistics.median(pss for _, pss in peaks)
        highest_pss = max(pss for _, pss in peaks)

        noop = median_of(options.repeat, lambda: run_build(project, out, options.jobs))
        startup = median_of(
            max(options.repeat, 5), lambda: subprocess.run([str(ALLETTER), "--help"], check=True, stdout=subprocess.DEVNULL)
        )
        watch_saves = watch_seconds_per_save(project)
        print(f"(f) watch: {', '.join(f'{t * 1000:.0f}' for t in watch_saves)} ms per save", flush=True)
        pdfs = sorted(out.glob("*.pdf"))[: options.import_sample]
        import_batch, import_single = import_letters_per_s(project, pdfs, options.jobs)
        print(f"(g) import: {import_batch:.1f} letters/s in one command, {import_single:.1f} one process each", flush=True)
    results = {
        "cases": options.cases,
        "jobs": options.jobs,
        "cpus": os.cpu_count(),
        "baseline_ms_per_letter": round(baseline * 1000, 1),
        "baseline_letters_per_s": round(1 / baseline, 1),
        "build_s": round(build, 2),
        "build_letters_per_s": round(options.cases / build, 1),
        "speed_up": round(baseline * options.cases / build, 1),
        "noop_rebuild_s": round(noop, 3),
        "help_s": round(startup, 3),
        "peak_rss_sum_mb": round(peak_rss / 2**20),
        "peak_pss_mb": round(peak_pss / 2**20),
        "highest_peak_pss_mb": round(highest_pss / 2**20),
        "watch_save_to_pdf_ms": round(statistics.median(watch_saves) * 1000),
        "watch_save_to_pdf_ms_all": [round(t * 1000) for t in watch_saves],
        "import_letters": len(pdfs),
        "import_batch_letters_per_s": round(import_batch, 2),
        "import_single_letters_per_s": round(import_single, 2),
        "import_speed_up": round(import_batch / import_single, 1),
    }
    report(results)
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def report(results: dict) -> None:
    """A table of medians with the targets of the archive issue."""
    rows = [
        (
            "(a) baseline, one process per output",
            f"{results['baseline_letters_per_s']} letters/s",
            f"{results['baseline_ms_per_letter']} ms per letter",
            "",
        ),
        (
            f"(b) alletter build --jobs {results['jobs']}, DOCX+PDF",
            f"{results['build_letters_per_s']} letters/s",
            f"{results['speed_up']}× baseline",
            "≥ 8× and ≥ 40 letters/s",
        ),
        (f"(c) no-op rebuild of {results['cases']} cases", f"{results['noop_rebuild_s']} s", "", "< 1 s"),
        ("(d) alletter --help", f"{results['help_s']} s", "", "< 0.3 s"),
        (
            "(e) peak memory of the build's processes (PSS)",
            f"{results['peak_pss_mb']} MB",
            f"highest of the runs: {results['highest_peak_pss_mb']} MB; RSS summed: {results['peak_rss_sum_mb']} MB",
            "< 500 MB",
        ),
        (
            "(f) alletter watch: a save to the new PDF",
            f"{results['watch_save_to_pdf_ms']} ms",
            f"5 saves: {', '.join(map(str, results['watch_save_to_pdf_ms_all']))} ms",
            "< 300 ms",
        ),
        (
            f"(g) alletter import of {results['import_letters']} PDFs --jobs {results['jobs']}",
            f"{results['import_batch_letters_per_s']} letters/s",
            f"{results['import_speed_up']}× one process per letter ({results['import_single_letters_per_s']} letters/s)",
            "≥ 5×",
        ),
    ]
    print()
    print("| measurement (median) | result | ratio | target |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
