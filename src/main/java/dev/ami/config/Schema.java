package dev.ami.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key the runtime knows, with its default. A key that is not listed here is an
 * error, so a typo never silently falls back to a default. docs/configuration.md mirrors this list.
 */
public final class Schema {
  private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

  static {
    add(Setting.choice("env", "sim", List.of("sim", "vrchat", "video", "noise"),
        "environment preset (conf/env/NAME.yaml): where frames come from and where actions go"));

    add(Setting.intRange("agent.hz", 10, 1, 1000, "tick rate of the agent loop"));
    add(Setting.doubleRange("agent.spin_ms", 2.0, 0.0, 50.0,
        "the agent parks until this long before a deadline, then spins; trades a little CPU for punctuality"));
    add(Setting.bool("agent.realtime", true,
        "ask Linux for SCHED_FIFO on the agent thread (needs root or CAP_SYS_NICE; falls back with a log line)"));
    add(Setting.longValue("agent.seed", 1,
        "seed of the agent's action sampling (and the random policy); unless given, system.seed"));
    add(Setting.choice("agent.eval_actions", "sample", List.of("sample", "greedy"),
        "in an evaluation run (run --eval): sample each action from the policy, or take its most probable one"));
    add(Setting.intRange("agent.restart_delay_ms", 1000, 1, 3_600_000,
        "a crashed agent loop starts again after this (actuators neutral meanwhile), doubling with each crash inside"
            + " the window"));
    add(Setting.intRange("agent.restart_max_ms", 60_000, 1, 3_600_000, "longest wait before an agent restart"));
    add(Setting.intRange("agent.restart_budget", 5, 0, 1000,
        "agent crashes inside the window that are restarted; one more and the agent stays failed"));
    add(Setting.intRange("agent.restart_window_s", 600, 1, 86_400, "the window the agent's restart budget counts in"));

    ModelSettings.addTo(SETTINGS);

    add(Setting.doubleRange("telemetry.frame_hz", 5.0, 0.0, 30.0,
        "how often the agent shares the frame it acted on (console thumbnail); 0 = never"));
    add(Setting.intRange("telemetry.log_every_s", 10, 0, 3600, "seconds between status lines in the log; 0 = never"));
    add(Setting.bool("telemetry.tensorboard", true,
        "write TensorBoard event files into the run folder's tb/ (a run of `run`; measurements write none)"));
    add(Setting.intRange("telemetry.tb_every_s", 10, 1, 3600, "seconds between TensorBoard scalar points"));
    add(Setting.intRange("telemetry.tb_image_every_s", 300, 0, 86_400,
        "seconds between TensorBoard image pairs (the frame seen and the frame expected); 0 = none"));

    add(Setting.longValue("system.seed", 1,
        "seeds every random source unless its own key is given: agent.seed = S, trainer.seed = S + 6, sim.seed = S"));
    add(Setting.bool("system.isolate_cpus", true,
        "give the trainer CPUs 1..n-1 and keep everything else on CPU 0 with the agent (Linux, >= 2 CPUs;"
            + " a cluster node without a trainer pins only its agent thread, one without an agent only its trainer)"));
    add(Setting.bool("system.trainer_idle", true,
        "run the trainer at SCHED_IDLE (Linux): any other thread that wakes on its CPUs (the snapshot server, a"
            + " node or game on the same machine) runs at once, and the trainer trains on what is left"));
    add(Setting.bool("system.malloc_tuning", true,
        "stop glibc from mmap/munmap-ing tensor-sized blocks every step (fewer page faults and stalls)"));

    add(Setting.intRange("system.malloc_trim_s", 60, 0, 86_400,
        "seconds between returning free malloc pages to the kernel (with malloc_tuning, arenas never shrink "
            + "otherwise and RSS creeps up with fragmentation); 0 = never"));

    add(Setting.intRange("system.memory_budget_mb", 0, 0, 16_777_216,
        "memory the models, their optimizers, activations and buffers may plan for; 0 = 80 % of physical memory. "
            + "A configuration estimated above it is refused (java -jar ami.jar models shows the estimate)"));

    add(Setting.intRange("system.stop_timeout_ms", 10_000, 100, 600_000,
        "longest the agent or the trainer may take to stop; past it the shutdown goes on and logs what hung"));
    add(Setting.string("system.runs_dir", "runs",
        "where each run writes its folder <UTC yyyyMMdd-HHmmss>[-NAME]/ (config.yaml, ami.log, tb/, states/, "
            + "recordings/): docs/running-for-days.md"));
    add(Setting.duration("system.max_uptime", 0, 366 * 86_400L,
        "stop gracefully after this long (90s, 30m, 12h, 3d): actuators neutral, final checkpoint, exit 0; 0 = never"));
    add(Setting.choice("mode", "train", List.of("train", "eval"),
        "what the run does; set by the launcher (run --eval) and written to the run folder's config.yaml"));
    add(Setting.string("resumed_from", "",
        "the run folder the checkpoint came from; set by the launcher on --resume, written to config.yaml"));

    add(Setting.intRange("log.max_file_mb", 100, 1, 100_000, "ami.log rolls over at this size (and at midnight UTC)"));
    add(Setting.intRange("log.total_mb", 2048, 1, 1_000_000,
        "the run's rolled logs together stay under this; the oldest are deleted"));
    add(Setting.intRange("log.max_days", 90, 1, 36_500, "rolled logs older than this many days are deleted"));

    add(Setting.duration("checkpoint.interval", 1800, 366 * 86_400L,
        "time between periodic checkpoints (90s, 30m, 12h, 3d; a bare number is seconds); 0 = off. bench, "
            + "bench-explore and soak keep them off"));
    add(Setting.bool("record.enabled", false,
        "record what the agent saw and did into the run folder's recordings/: an mp4 and a JSONL per segment"));
    add(Setting.duration("record.segment", 600, 366 * 86_400L, "length of one recording segment (90s, 10m, 1h)"));
    add(Setting.doubleRange("record.max_gb", 20.0, 0.001, 1_000_000.0,
        "the run's recordings stay under this many GB: the oldest segments are deleted"));
    add(Setting.intRange("checkpoint.keep", 5, 1, 10_000,
        "newest checkpoints of this run kept; older ones of this run are deleted (never another run's)"));
    add(Setting.bool("checkpoint.buffers", true,
        "save the data buffers too (frames, steps, rollouts: ~120 MB at the default sizes)"));
    add(Setting.bool("checkpoint.on_shutdown", true, "write a checkpoint on a graceful shutdown"));
    add(Setting.intRange("checkpoint.shutdown_timeout_s", 60, 1, 3600,
        "longest a shutdown waits for its checkpoint; past it the shutdown goes on (the previous one stays valid)"));

    WorldIoSettings.addTo(SETTINGS);

    add(Setting.bool("console.enabled", true, "serve the operator console (web page, WebSocket, /metrics, /health)"));
    add(Setting.string("console.host", "127.0.0.1",
        "address the console binds; anything but loopback needs console.token"));
    add(Setting.intRange("console.port", 8391, 0, 65535, "console port; 0 picks a free port and logs it"));
    add(Setting.string("console.token", "",
        "shared secret required on every console request when set (Bearer header, ?token= or cookie)"));
    add(Setting.doubleRange("console.telemetry_hz", 5.0, 0.2, 30.0, "telemetry pushes per second to each console client"));
    add(Setting.string("console.tls.cert", "",
        "PEM certificate (chain) to serve the console over HTTPS and WSS; with console.tls.key. Empty = plain HTTP"));
    add(Setting.string("console.tls.key", "", "PEM private key of console.tls.cert"));

    add(Setting.intRange("djl.threads", 1, 1, 64,
        "libtorch intra-op threads per process; 1 on a 2-core machine (more oversubscribes the agent's core)"));
  }

  private Schema() {
  }

  private static void add(Setting s) {
    SETTINGS.put(s.key(), s);
  }

  /** All settings in documentation order. */
  public static Map<String, Setting> settings() {
    return SETTINGS;
  }

  /** Keys that existed once: using one is an error that says what replaced it. */
  private static final Map<String, String> RETIRED = Map.of(
      "checkpoint.dir", "checkpoint.dir is gone: each run keeps its checkpoints in <system.runs_dir>/<run>/states/;"
          + " set system.runs_dir instead (docs/running-for-days.md)");

  /** The setting for a key, or a {@link ConfigException} listing the known keys with that prefix. */
  public static Setting require(String key) {
    Setting s = SETTINGS.get(key);
    if (s != null) {
      return s;
    }
    if (RETIRED.containsKey(key)) {
      throw new ConfigException(RETIRED.get(key));
    }
    String section = key.contains(".") ? key.substring(0, key.indexOf('.') + 1) : "";
    List<String> near = SETTINGS.keySet().stream().filter(k -> !section.isEmpty() && k.startsWith(section)).toList();
    throw new ConfigException("unknown key '" + key + "'"
        + (near.isEmpty() ? "; known sections: " + sections() : "; known keys here: " + String.join(", ", near)));
  }

  private static String sections() {
    return String.join(", ", SETTINGS.keySet().stream()
        .map(k -> k.contains(".") ? k.substring(0, k.indexOf('.')) : k).distinct().toList());
  }
}
