"""Capture-to-receiver delay of `drape live --stream` on loopback (issue 12).

Makes a 640x480 30 fps clip whose frames carry their number in ten black/white blocks, runs
drape on it with --stream udp://127.0.0.1:PORT and TRACE logs (each composited frame's time),
receives the stream with ffmpeg in this process, reads each frame's number back and reports the
delay from drape compositing frame k to its arrival, p50 and p95; drape's own --stats latency
(capture to composite) is printed beside it. Needs numpy (models/.venv has it).

    models/.venv/bin/python tests/measure/stream_latency.py target/release/drape
"""
import datetime, os, re, subprocess, sys, tempfile, threading, time

import numpy as np

W, H, N, PORT = 640, 480, 300, 39123


def clip(path):
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{W}x{H}", "-r", "30", "-i", "-",
                          "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", path], stdin=subprocess.PIPE)
    for k in range(N):
        f = np.full((H, W), 90, np.uint8)
        for b in range(10):
            f[16:48, 16 + b * 40:48 + b * 40] = 255 if (k >> b) & 1 else 0
        p.stdin.write(f.tobytes())
    p.stdin.close()
    p.wait()


def receive(arrivals):
    p = subprocess.Popen(["ffmpeg", "-v", "error", "-fflags", "nobuffer", "-flags", "low_delay", "-i", f"udp://127.0.0.1:{PORT}?timeout=4000000",
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    while True:
        b = p.stdout.read(W * H)
        if len(b) < W * H:
            break
        t = time.time()
        f = np.frombuffer(b, np.uint8).reshape(H, W)
        arrivals.append((sum(1 << i for i in range(10) if f[32, 32 + i * 40] > 128), t))


def main():
    drape = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        ids = os.path.join(d, "ids.mp4")
        clip(ids)
        arrivals = []
        rx = threading.Thread(target=receive, args=(arrivals,))
        rx.start()
        time.sleep(1)
        env = dict(os.environ, RUST_LOG="drape=trace,ort=warn", NO_COLOR="1")
        run = subprocess.run([drape, "live", "--input", ids, "--no-window", "--stream", f"udp://127.0.0.1:{PORT}", "--analyse-every", "4", "--stats"],
                             env=env, stderr=subprocess.PIPE, text=True)
        rx.join()
    composited = {}
    for line in run.stderr.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.match(r"(\S+)Z\s+TRACE composited seq=(\d+)", line)
        if m:
            composited[int(m.group(2))] = datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc).timestamp()
    # seq counts from 1; the first frames the receiver takes while it finds the stream are left out.
    delays = np.array([(t - composited[k + 1]) * 1000 for k, t in arrivals if k + 1 in composited])
    delays = delays[delays < 2000]
    latency = [float(m) for m in re.findall(r"latency (\d+) ms", run.stderr)]
    print(f"frames received {len(arrivals)} of {N}; composite to receiver ms: p50 {np.percentile(delays, 50):.0f}, p95 {np.percentile(delays, 95):.0f}; "
          f"drape's capture to composite (--stats latency, median) {np.median(latency) if latency else float('nan'):.0f} ms")


if __name__ == "__main__":
    main()
