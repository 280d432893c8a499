"""Distinct failures in a Schemathesis run's output, one line each with a request that reproduces it.

`python scripts/contract_failures.py var/contract/sqlite/schemathesis-key.log` prints, per failure
kind (`ST202 Schema-valid request rejected`), each operation it was seen on (a stateful failure is
named by the operation of its failing request) with the status answered, what the check and the
response say, and the first reproducing `curl` line; scripts/contract prints it when a run fails.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

SECTION = re.compile(r"^_{3,} (.+?) _{3,}$")
CASE = re.compile(r"^\d+\. Test Case ID: \S+")
CHECK = re.compile(r"^- (ST\d+ .+)$")
STATUS = re.compile(r"^\[(\d{3})\]")
REQUEST = re.compile(r"^curl .*? (?:-X (\S+) )?.*?(https?://\S+)$")
HEADING = re.compile(r"^={3,} (.+?) ={3,}$")


def clip(text: str, width: int = 400) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def templates(document: Path) -> list[tuple[str, re.Pattern[str]]]:
    """Each path of the OpenAPI document with a pattern that matches its concrete URLs."""
    paths = json.loads(document.read_text(encoding="utf-8")).get("paths", {})
    return [(path, re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")) for path in paths]


def failures(text: str, paths: list[tuple[str, re.Pattern[str]]] | None = None) -> dict[str, dict[str, tuple[str, str, str]]]:
    """{failure kind: {operation: (status, what the check says, curl)}}, in the order the run reported them."""
    found: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    section = ""
    in_failures = False
    case: list[str] = []

    def close(lines: list[str]) -> None:
        kinds: dict[str, str] = {}
        kind = ""
        for line in lines:
            if m := CHECK.match(line.strip()):
                kind = m.group(1)
                kinds[kind] = ""
            elif kind and line.strip() and not kinds[kind]:
                kinds[kind] = line.strip()
            if STATUS.match(line.strip()):
                kind = ""
        status = next((m.group(1) for line in lines if (m := STATUS.match(line.strip()))), "---")
        answer = ""
        after = [line.strip() for line in lines[next((i for i, line in enumerate(lines) if STATUS.match(line.strip())), len(lines)) + 1 :]]
        body = next((line for line in after if line), "")
        if body.startswith("`"):
            try:
                problem = json.loads(body.strip("`"))
                answer = str(problem.get("detail") or problem.get("title") or "") if isinstance(problem, dict) else ""
            except ValueError:
                answer = body.strip("`")
        curls = [line.strip() for line in lines if line.strip().startswith("curl ")]
        curl = curls[-1] if curls else ""
        operation = section
        if section == "Stateful tests" and curl:
            # A stateful failure is named by the request that failed, the last of its sequence.
            method = re.search(r"-X (\S+)", curl)
            url = re.search(r"https?://[^/\s]+(/\S*)", curl)
            path = url.group(1).split("?")[0] if url else "?"
            path = next((template for template, pattern in paths or [] if pattern.match(path)), path)
            operation = f"{method.group(1) if method else 'GET'} {path}"
        for name, says in kinds.items():
            found[name].setdefault(operation, (status, f"{says} | {clip(answer, 160)}" if answer else says, curl))

    for raw in text.splitlines():
        heading = HEADING.match(raw)
        if heading:
            if case:
                close(case)
                case = []
            in_failures = heading.group(1) == "FAILURES"
            continue
        if not in_failures:
            continue
        header = SECTION.match(raw)
        if header:
            if case:
                close(case)
                case = []
            section = header.group(1)
            continue
        if CASE.match(raw.strip()):
            if case:
                close(case)
            case = [raw]
        elif case:
            case.append(raw)
    if case:
        close(case)
    return found


def errors(text: str) -> list[str]:
    """The run's own errors (a phase that could not run), one line per operation."""
    found: list[str] = []
    section = ""
    in_errors = False
    said: list[str] = []
    for raw in [*text.splitlines(), "=== END ==="]:
        heading = HEADING.match(raw)
        header = SECTION.match(raw)
        if (heading or header) and section and said:
            found.append(f"  {section}: {clip(' | '.join(said[:2]), 300)}")
            said = []
        if heading:
            in_errors = heading.group(1) == "ERRORS"
            section = ""
        elif in_errors and header:
            section = header.group(1)
        elif in_errors and section and raw.strip() and not raw.startswith(" "):
            said.append(raw.strip())
    return found


def main(argv: list[str]) -> int:
    document = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
    paths = templates(document) if document.exists() else None
    for name in argv:
        text = Path(name).read_text(encoding="utf-8", errors="replace")
        run_errors = errors(text)
        if run_errors:
            print("Errors of the run itself:")
            print("\n".join(run_errors))
        for kind, operations in failures(text, paths).items():
            print(f"{kind} ({len(operations)} operation{'s' if len(operations) != 1 else ''})")
            for operation, (status, says, curl) in operations.items():
                print(f"  {operation}: [{status}] {clip(says, 300)}\n    {clip(curl)}")
        tail = [line for line in text.splitlines() if re.match(r"^(Seed: |  ⚠️ |  ❌ |=+ .*(failure|error|passed|warning))", line)]
        for line in tail:
            print(line.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
