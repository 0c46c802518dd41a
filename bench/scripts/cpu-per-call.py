#!/usr/bin/env python3
"""Whole-machine CPU per call of one bench line, by owner, from `perf record -a -g`.

JFR samples Java code only; this counts every CPU of the machine during a measured window: the
broker process, the kernel's work for the bench JVM (futex wake-ups, socket I/O, the network
softirq, preemption), the JIT compiler and GC threads, and the JIT-compiled Java code, by the
package of the compiled method a sample falls in (a method's inlined callees count as its own, so
the split between Java owners is rough: use JFR for that).

  record TAG [--seconds N] [--jar JAR] -- BENCH ARGS...
                                runs `java -jar grpc-mqtt-bench.jar BENCH ARGS` with a perf map,
                                waits for its first measured "unary" line, records SECONDS
                                (default 6, --seconds N) of the whole machine into TAG.data, and
                                keeps TAG.json (the bench's) and TAG.pid
  report TAG...                 one column per TAG: CPU µs per call, by owner
  threads TAG...                the same samples by the thread that ran them (the embedded HiveMQ
                                CE's event loops, the client library's threads, the call executor,
                                the JIT, GC, ...) and, within each, by owner: with the broker in
                                the bench's JVM and Netty on both sides, the package alone cannot
                                tell the broker from the client

Needs perf (root or kernel.perf_event_paranoid <= 0 for kernel stacks) and one unary line per
run (one --impls, one --concurrency, one --payloads). See docs/benchmarks.md.
"""
import collections, json, os, re, signal, subprocess, sys, time

HZ = 499


def record(tag, bench_args, seconds, jar):
    err = open(tag + '.err', 'w')
    java = subprocess.Popen(
        ['java', '-XX:+UnlockDiagnosticVMOptions', '-XX:+DumpPerfMapAtExit'] + props(bench_args)
        + ['-jar', jar] + [a for a in bench_args if not a.startswith('-D')] + ['--json', tag + '.json'],
        stdout=open(tag + '.out', 'w'), stderr=err)
    open(tag + '.pid', 'w').write(str(java.pid))
    deadline = time.time() + 600
    while time.time() < deadline and java.poll() is None:
        if re.search(r'INFO .*: unary \S+ QoS \d, concurrency', open(tag + '.err').read()):
            break
        time.sleep(0.1)
    time.sleep(3)  # into the measured window (the bench's --warmup should be >= 2 s)
    subprocess.run(['perf', 'record', '-a', '-g', '-F', str(HZ), '-e', 'cpu-clock', '-o', tag + '.data',
                    '--', 'sleep', str(seconds)], stderr=subprocess.DEVNULL, check=True)
    # The compiled code as it is now: code the JIT replaces and frees before the JVM exits would be
    # missing from the map written at exit, and its samples unattributed.
    subprocess.run(['jcmd', str(java.pid), 'Compiler.perfmap'], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    map_now = f'/tmp/perf-{java.pid}.map'
    if os.path.exists(map_now):
        os.replace(map_now, tag + '.map')
    open(tag + '.seconds', 'w').write(str(seconds))
    java.wait()
    if os.path.exists(tag + '.map'):  # put back in place of the one written at exit
        os.replace(tag + '.map', map_now)


def props(args):
    return [a for a in args if a.startswith('-D')]


PACKAGES = [('io.grpcmqtt.bench', 'harness'), ('org.HdrHistogram', 'harness'),
            ('io.grpcmqtt', 'grpc-mqtt'), ('io.grpc.', 'grpc-java'), ('org.eclipse.paho', 'Paho'),
            ('com.hivemq.client', 'HiveMQ client, Netty, RxJava'), ('io.netty', 'HiveMQ client, Netty, RxJava'),
            ('io.reactivex', 'HiveMQ client, Netty, RxJava'), ('com.hivemq', 'HiveMQ CE broker'),
            ('com.google.protobuf', 'protobuf'), ('com.google.common', 'Guava'),
            ('java.util.concurrent', 'JDK java.util.concurrent'), ('java.', 'JDK other'),
            ('jdk.', 'JDK other'), ('sun.', 'JDK other')]


def java_owner(sym):
    name = sym.split(' ', 1)[1] if ' ' in sym else sym  # a perf map symbol starts with the return type
    for prefix, owner in PACKAGES:
        if name.startswith(prefix):
            return 'Java: ' + owner
    return 'Java: interpreter, stubs'


def kernel_owner(chain):
    kernel = ' '.join(s for s, d in chain if 'kernel' in d)
    user = [s for s, d in chain if 'kernel' not in d]
    if 'net_rx_action' in kernel or 'do_softirq' in kernel:
        return 'kernel: network softirq'
    if 'page_fault' in kernel:
        return 'kernel: page faults'
    if 'asm_sysvec' in kernel or 'asm_common_interrupt' in kernel or not user:
        return 'kernel: interrupts, preemption'
    if re.search(r'futex|pthread_cond|lll_(un)?lock|Park|Unpark|ObjectMonitor|sem_(wait|post)',
                 ' '.join(user[:4])):
        return 'kernel: futex (park, unpark, locks)'
    if re.search(r'read|write|send|recv|epoll|poll|select|ioctl|Net_available', user[0], re.I):
        return 'kernel: socket I/O and poll'
    return 'kernel: other system calls'


def owner(comm, pid, jvm, chain):
    if pid == '0' or comm.startswith('swapper'):
        return 'idle'
    sym, dso = chain[0] if chain else ('', '')
    in_kernel = 'kernel' in dso
    if comm == 'mosquitto':
        return 'broker: Mosquitto, ' + ('kernel' if in_kernel else 'user')
    if pid != jvm:
        return 'other processes'
    if in_kernel:
        return 'JVM ' + kernel_owner(chain)
    if 'libjvm' in dso:
        if re.match(r'C[12] Compiler', comm):
            return 'JVM: JIT compiler threads'
        if comm.startswith('G1') or comm.startswith('GC'):
            return 'JVM: GC threads'
        return 'JVM: runtime in Java threads'
    if dso.startswith('/tmp/perf-') or dso == '[unknown]':
        return java_owner(sym)
    return 'JVM native: ' + os.path.basename(dso)


THREADS = [(r'hivemq|HiveMQ|global-traffic|single-writer', 'broker: HiveMQ CE threads'),
           (r'MQTT (Rec|Snd|Call|Ping|Con)|com\.hivemq\.cli|RxComputation', 'client library threads'),
           (r'grpc-mqtt-execu|floor-wire-exec|handoffs-pool', 'call executor'),
           (r'grpc-mqtt-timer|grpc-mqtt-block', 'grpc-mqtt timers'),
           (r'C[12] CompilerThre', 'JIT compiler'),
           (r'GC Thread|G1 |VM Thread|VM Periodic', 'GC and VM threads')]


def thread_group(comm):
    for pattern, group in THREADS:
        if re.match(pattern, comm):
            return group
    return 'harness and other threads'


def attribute(tag, by_thread=False):
    result = json.load(open(tag + '.json'))
    line = [r for r in result['results'] if r['kind'] == 'unary'][0]
    seconds = float(open(tag + '.seconds').read()) if os.path.exists(tag + '.seconds') else 6.0
    calls = line['throughputPerSec'] * seconds
    jvm = open(tag + '.pid').read().strip()
    script = subprocess.run(['perf', 'script', '-i', tag + '.data', '-F', 'comm,pid,tid,ip,sym,dso'],
                            capture_output=True, text=True).stdout
    samples = collections.Counter()
    for block in script.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        head = re.match(r'\s*(.+?)\s+(\d+)/(\d+)\s*$', lines[0]) if lines else None
        if not head:
            continue
        chain = []
        for l in lines[1:]:
            frame = re.match(r'\s*[0-9a-f]+\s+(.*)\s+\(([^()]*)\)\s*$', l)
            if frame:
                chain.append((re.sub(r'\+0x[0-9a-f]+$', '', frame.group(1)), frame.group(2)))
        who = owner(head.group(1), head.group(2), jvm, chain)
        if by_thread and head.group(2) == jvm:
            who = thread_group(head.group(1)) + ' / ' + re.sub(r'^JVM:? ', '', who)
        samples[who] += 1
    per_call = {k: v * 1e6 / HZ / calls for k, v in samples.items()}
    title = f"{line['impl']} c={line['concurrency']}: {line['throughputPerSec']:.0f}/s"
    return title, per_call


def report(tags, by_thread=False):
    columns = [attribute(t, by_thread) for t in tags]
    if by_thread:  # each thread group's total first
        groups = [(t, collections.Counter()) for t, _ in columns]
        for (_, c), (_, g) in zip(columns, groups):
            for k, v in c.items():
                g['**' + k.split(' / ')[0] + '**' if ' / ' in k else k] += v
        table(groups)
        print()
    table(columns)


def table(columns):
    owners = sorted({k for _, c in columns for k in c if k not in ('idle', 'other processes')},
                    key=lambda k: -max(c.get(k, 0) for _, c in columns))
    print('| CPU µs per call | ' + ' | '.join(t for t, _ in columns) + ' |')
    print('|---' * (len(columns) + 1) + '|')
    for k in owners:
        if max(c.get(k, 0) for _, c in columns) >= 0.5:
            print(f'| {k} | ' + ' | '.join(f'{c.get(k, 0):.1f}' for _, c in columns) + ' |')
    total = [sum(v for k, v in c.items() if k not in ('idle', 'other processes')) for _, c in columns]
    jit = [sum(v for k, v in c.items() if re.match(r'(JVM: |\*\*)?JIT compiler', k)) for _, c in columns]
    print('| **all** | ' + ' | '.join(f'{t:.1f}' for t in total) + ' |')
    print('| **all but the JIT compiler** | ' + ' | '.join(f'{t - j:.1f}' for t, j in zip(total, jit)) + ' |')


def main(argv):
    if len(argv) >= 3 and argv[0] == 'record' and '--' in argv:
        sep = argv.index('--')
        opts, bench = argv[1:sep], argv[sep + 1:]
        seconds = float(opts[opts.index('--seconds') + 1]) if '--seconds' in opts else 6.0
        jar = opts[opts.index('--jar') + 1] if '--jar' in opts else 'bench/target/grpc-mqtt-bench.jar'
        tag = opts[0]
        record(tag, bench, seconds, jar)
    elif len(argv) >= 2 and argv[0] == 'report':
        report(argv[1:])
    elif len(argv) >= 2 and argv[0] == 'threads':
        report(argv[1:], by_thread=True)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main(sys.argv[1:])
