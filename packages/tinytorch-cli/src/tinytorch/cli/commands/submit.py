"""``tito submit <module>``: one archive of your copy of a module, with a verifiable manifest."""

import getpass
import os
from pathlib import Path

from ..context import CliError, changed_since_completion
from ..discovery import installed_version
from ..submission import SubmissionError, write_submission


def _student(args):
    name = args.student or os.environ.get("TINYTORCH_STUDENT")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = ""
    return name


def cmd_submit(ctx):
    module = ctx.module(ctx.args.module)
    entry = ctx.progress()["modules"].get(module.distribution, {})
    copy = entry.get("learner_path")
    if not copy or not Path(copy).is_dir():
        raise CliError(f"you have no copy of {module.label} to submit; `tito module start {module.name}` makes one")
    if not entry.get("completed_at"):
        ctx.out.print(f"note: {module.label} is not recorded complete; the submission is graded all the same.")
    elif changed_since_completion(entry):
        ctx.out.print(f"note: your copy of {module.label} changed after it was recorded complete.")
    try:
        archive, manifest = write_submission(
            copy, Path(ctx.args.output or "."), student=_student(ctx.args), module=module,
            tests=entry.get("tests") if entry.get("completed_code") == "learner" else None,
            tito_version=installed_version("tinytorch-cli") or "", completed_at=entry.get("completed_at"))
    except SubmissionError as exc:
        raise CliError(str(exc)) from None
    ctx.out.print(f"Wrote {archive}: {len(manifest['files'])} files of {module.label} "
                  f"{module.version}, digest {manifest['digest']}.")
    ctx.out.print("Hand in that one file; the teacher's `tito grade` checks it against this digest.")
    return 0


def register(groups):
    """Add ``tito submit MODULE [--student NAME] [-o DIR]``."""
    submit = groups.add_parser("submit", help="pack your copy of a module for grading")
    submit.add_argument("module", help="number or name, e.g. 01 or tensor")
    submit.add_argument("--student", help="your name in the gradebook (default $TINYTORCH_STUDENT or your login)")
    submit.add_argument("-o", "--output", help="folder for the archive (default: the current folder)")
    submit.set_defaults(handler=cmd_submit, command="submit")
