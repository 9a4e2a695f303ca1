package dev.ami.config;

import java.nio.file.Path;

/**
 * The process's own settings ({@code system.*}): seeds, CPU and allocator tuning, memory budget, the stop's bound,
 * where runs go and how long one may last.
 *
 * @param memoryBudgetMb 0 = 80 % of the machine's memory
 * @param maxUptimeS 0 = no limit
 */
public record SystemOptions(long seed, boolean isolateCpus, boolean trainerIdle, boolean mallocTuning,
                            int mallocTrimS, int memoryBudgetMb, int stopTimeoutMs, Path runsDir, long maxUptimeS) {
  public static SystemOptions from(AmiConfig c) {
    return new SystemOptions(c.getLong("system.seed"), c.getBool("system.isolate_cpus"),
        c.getBool("system.trainer_idle"), c.getBool("system.malloc_tuning"), c.getInt("system.malloc_trim_s"),
        c.getInt("system.memory_budget_mb"), c.getInt("system.stop_timeout_ms"), Path.of(c.getString("system.runs_dir")),
        c.getLong("system.max_uptime"));
  }
}
