"""Runs one classic Python program for switchyard's bench (``switchyard bench --compare python``).

It speaks JSON lines. The first line on stdin names the program and the job::

    {"program": "threads", "job": "io", "inputs": [...], "warmup": [...],
     "workers": 2, "concurrency": 160}

Once the program has started and run the warm-up inputs (its threads, processes and
connections are up), it prints ``{"ready": true}``. Each ``run`` line then runs the whole
job once and prints ``{"outputs": [...]}``, in input order; each ``warm`` line runs the
warm-up inputs again, the same way. The bench times each run from its side of the pipe, as
it times its own modes, and verifies the outputs.

When stdin closes (the bench is done, or it died), the program stops. A run in progress is
not waited for: the whole process group, this process and its pool's processes, is
killed, so nothing outlives the bench.
"""

import importlib
import json
import os
import queue
import signal
import sys
import threading
import time

# How long a run in progress may go on once stdin has closed.
STOP_GRACE_SECONDS = 2


def main():
    spec = json.loads(sys.stdin.readline())
    program = importlib.import_module(f"program_{spec['program']}").Program(
        spec["workers"], spec["concurrency"]
    )
    run = program.download_all if spec["job"] == "io" else program.find_sums
    run(spec["warmup"])
    commands = queue.Queue()
    threading.Thread(target=read_commands, args=(commands,), daemon=True).start()
    reply({"ready": True})
    inputs = {"run": spec["inputs"], "warm": spec["warmup"]}
    for command in iter(commands.get, None):
        reply({"outputs": [encode(output) for output in run(inputs[command])]})
    program.close()


def read_commands(commands):
    for line in sys.stdin:
        commands.put(line.strip())
    commands.put(None)
    # Still here after the grace period: the main thread is in a run. Stop everything.
    time.sleep(STOP_GRACE_SECONDS)
    if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(1)


def encode(output):
    # JSON numbers past 2^53 lose digits in JavaScript: sums travel as decimal strings.
    return str(output) if isinstance(output, int) else output


def reply(message):
    print(json.dumps(message), flush=True)


if __name__ == "__main__":
    main()
