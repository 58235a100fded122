# alternate.py: the 1M/100k ratio of the tao mix, with the VM's drift
# cancelled. It runs `go run ./bench`'s binary twice at once, a 1M-user
# run and a default 100k run, and lets them take turns with SIGSTOP and
# SIGCONT, so that each runs alone on the machine for WIN seconds at a
# time; each one's rate is taken from its progress lines, per window,
# leaving out the first 2.5 s after it resumes. A slow phase of the VM
# then slows both runs of a turn, where it lands on one run of a
# sequential pair (docs/PERFORMANCE.md, tenth stop).
#
#   go build -o /tmp/kbench ./bench
#   python3 docs/alternate.py /tmp/kbench TAG WINDOWS WIN
#
# with the kept stores /tmp/kith-1m (1M users) and /tmp/k100k (the
# default graph) made by earlier runs with -dir. MIB sets the 1M run's
# -profile-cache-mib (default 1400). Logs: /tmp/alt1m_TAG.txt and
# /tmp/alt100k_TAG.txt.
# Alternate a 1M and a 100k kith bench process with SIGSTOP/SIGCONT, so that
# each runs alone on the machine in turn; compare their rates window by window.
import subprocess, signal, time, re, sys, os
binary = sys.argv[1]; tag = sys.argv[2]; windows = int(sys.argv[3]); win = float(sys.argv[4])
mib = os.environ.get('MIB', '1400')
total = int(windows * 2 * win + 60)
f1 = open(f'/tmp/alt1m_{tag}.txt', 'w'); f2 = open(f'/tmp/alt100k_{tag}.txt', 'w')
env = dict(os.environ, GODEBUG='gctrace=1')
p1 = subprocess.Popen([binary, '-users', '1000000', '-dir', '/tmp/kith-1m', '-cache', '3072', '-profile-cache', '1000000',
    '-profile-cache-mib', mib, '-warmup', '120s', '-duration', f'{total}s'], stdout=f1, stderr=subprocess.STDOUT, env=env)
def wait_for(path, pat):
    while True:
        if re.search(pat, open(path).read()): return
        time.sleep(0.5)
wait_for(f'/tmp/alt1m_{tag}.txt', r'run: tao mix')
p1.send_signal(signal.SIGSTOP)
p2 = subprocess.Popen([binary, '-dir', '/tmp/k100k', '-duration', f'{total}s'], stdout=f2, stderr=subprocess.STDOUT)
wait_for(f'/tmp/alt100k_{tag}.txt', r'run: tao mix')
p2.send_signal(signal.SIGSTOP)
marks = []  # (proc, start, end)
for i in range(windows):
    for name, p in (('1M', p1), ('100k', p2)):
        p.send_signal(signal.SIGCONT); t0 = time.time()
        time.sleep(win)
        p.send_signal(signal.SIGSTOP); t1 = time.time()
        marks.append((name, t0, t1))
p1.kill(); p2.kill(); p1.wait(); p2.wait()
def lines(path):
    out = []
    for l in open(path):
        m = re.match(r'(\d\d):(\d\d):(\d\d\.\d+)  run: tao \S+\s+\S+ ops/s\s+([\d,]+) calls', l)
        if m:
            h, mi, s = int(m.group(1)), int(m.group(2)), float(m.group(3))
            out.append((h*3600+mi*60+s, int(m.group(4).replace(',', ''))))
    return out
L = {'1M': lines(f'/tmp/alt1m_{tag}.txt'), '100k': lines(f'/tmp/alt100k_{tag}.txt')}
def tod(t):
    lt = time.localtime(t); return lt.tm_hour*3600+lt.tm_min*60+lt.tm_sec+(t % 1)
res = {'1M': [], '100k': []}
for name, t0, t1 in marks:
    a, b = tod(t0) + 2.5, tod(t1) - 0.1
    pts = [x for x in L[name] if a <= x[0] <= b]
    if len(pts) >= 2:
        res[name].append((pts[-1][1] - pts[0][1]) / (pts[-1][0] - pts[0][0]))
r1, r2 = res['1M'], res['100k']
print(tag, '1M', [round(x/1000) for x in r1]); print(tag, '100k', [round(x/1000) for x in r2])
n = min(len(r1), len(r2))
print(tag, 'windows', n, 'mean 1M %.0f 100k %.0f ratio %.1f%%' % (sum(r1[:n])/n, sum(r2[:n])/n, 100*sum(r1[:n])/sum(r2[:n])))
