package io.grpcmqtt.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What JFR cannot see of a run: the kernel's side of this process's threads, from Linux's {@code
 * /proc/self/task/*}. Per thread: context switches ({@code status}: voluntary = the thread parked
 * or waited; involuntary = preempted), CPU time and the time it spent runnable but waiting for a
 * CPU ({@code schedstat}: the part of a wake-up's latency the scheduler adds). A thread hand-off
 * costs the woken thread a voluntary switch when it parks again, and on a busy machine a wait in
 * the run queue before it runs.
 *
 * <p>{@link #snapshot} before a run and {@link Snapshot#perCall} after it give the counts per call
 * of the whole process (the floor's and grpc-mqtt's clients and servers, the embedded HiveMQ when
 * it is the broker, JIT and GC threads alike; Mosquitto is another process and not counted).
 * Threads that end during the run lose their counts; none of the bench's do within a scenario.
 * With {@code -Dbench.kernel=detail} the per-call counts of each thread group (the thread's name
 * without digits) go to the log, and the note adds the CPU per call of the JIT's compiler threads
 * ({@code C1/C2 CompilerThreadN}): the share of the process's CPU that compiled code rather than
 * ran it. Off Linux the counts are empty and nothing is reported.
 */
final class KernelCounts {
  private static final Logger log = LoggerFactory.getLogger(KernelCounts.class);
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final boolean DETAIL = "detail".equals(System.getProperty("bench.kernel"));

  /** Voluntary and involuntary switches, CPU ns, run-queue wait ns. */
  private static final int VOLUNTARY = 0;
  private static final int INVOLUNTARY = 1;
  private static final int CPU_NANOS = 2;
  private static final int WAIT_NANOS = 3;
  /** What HotSpot's compiler threads' names hold ({@code comm} keeps 15 characters). */
  private static final String COMPILER = "CompilerThre";

  private KernelCounts() {}

  /** The counts of every thread of this process now; empty where /proc is not there. */
  static Snapshot snapshot() {
    Map<String, String> names = new HashMap<>();
    Map<String, long[]> counts = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return new Snapshot(names, counts);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        try {
          long[] c = new long[4];
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              c[VOLUNTARY] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              c[INVOLUNTARY] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
          c[CPU_NANOS] = Long.parseLong(sched[0]);
          c[WAIT_NANOS] = Long.parseLong(sched[1]);
          String tid = task.getFileName().toString();
          counts.put(tid, c);
          names.put(tid, Files.readString(task.resolve("comm")).trim());
        } catch (IOException | RuntimeException ended) {
          // The thread ended while being read: it counts for nothing in this snapshot.
        }
      }
    } catch (IOException e) {
      log.debug("cannot read {}", TASKS, e);
    }
    return new Snapshot(names, counts);
  }

  /** The counters of every thread at one moment. */
  static final class Snapshot {
    private final Map<String, String> names;
    private final Map<String, long[]> counts;

    private Snapshot(Map<String, String> names, Map<String, long[]> counts) {
      this.names = names;
      this.counts = counts;
    }

    /**
     * What the process's threads did since this snapshot, per call of {@code calls}, for a
     * result's note ({@code ""} when nothing could be read); {@code what} names the run in the
     * detail log.
     */
    String perCall(long calls, String what) {
      Snapshot now = snapshot();
      if (calls <= 0 || counts.isEmpty() || now.counts.isEmpty()) {
        return "";
      }
      long[] total = new long[4];
      Map<String, long[]> groups = new TreeMap<>();
      now.counts.forEach((tid, c) -> {
        long[] before = counts.getOrDefault(tid, new long[4]);
        long[] group = groups.computeIfAbsent(
            now.names.get(tid).replaceAll("[0-9]+", "N"), g -> new long[4]);
        for (int i = 0; i < 4; i++) {
          total[i] += c[i] - before[i];
          group[i] += c[i] - before[i];
        }
      });
      if (DETAIL) {
        StringBuilder b = new StringBuilder();
        groups.forEach((name, g) -> {
          if (g[VOLUNTARY] + g[INVOLUNTARY] > 0) {
            b.append(String.format(Locale.ROOT, "%n  %-16s %s", name, format(g, calls)));
          }
        });
        log.info("kernel per call, {} ({} calls):{}", what, calls, b);
        long jitCpu = groups.entrySet().stream().filter(g -> g.getKey().contains(COMPILER))
            .mapToLong(g -> g.getValue()[CPU_NANOS]).sum();
        return format(total, calls)
            + String.format(Locale.ROOT, ", jit cpu %.1f us", jitCpu / 1e3 / calls);
      }
      return format(total, calls);
    }

    private static String format(long[] c, long calls) {
      return String.format(Locale.ROOT, "per call: %.2f cs (%.2f vol), cpu %.1f us, runq %.1f us",
          (double) (c[VOLUNTARY] + c[INVOLUNTARY]) / calls, (double) c[VOLUNTARY] / calls,
          c[CPU_NANOS] / 1e3 / calls, c[WAIT_NANOS] / 1e3 / calls);
    }
  }
}
