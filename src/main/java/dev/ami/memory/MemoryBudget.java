package dev.ami.memory;

import com.sun.management.OperatingSystemMXBean;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.SystemOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The memory the runtime may plan for ({@code system.memory_budget_mb}; 0 = 80 % of the machine's physical
 * memory) and the check that refuses a model or buffer configuration that would not fit, naming the biggest
 * consumers, instead of dying out of memory an hour into a run.
 */
public final class MemoryBudget {
  /** What the process holds before any model: JVM, libtorch, JavaCV, Vert.x (RSS measured at start, rounded up). */
  public static final double BASE_MB = 500;
  private static final double MACHINE_SHARE = 0.8;

  private MemoryBudget() {
  }

  /** The budget in MiB for this config on this machine. */
  public static double budgetMb(AmiConfig c) {
    int configured = SystemOptions.from(c).memoryBudgetMb();
    return configured > 0 ? configured : MACHINE_SHARE * physicalMb();
  }

  public static double physicalMb() {
    var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getTotalMemorySize() / (1024.0 * 1024.0);
  }

  /**
   * G1 commits about as much again as the buffers hold live (measured: 175 MiB live, 408 MiB committed at ami's
   * sizes, docs/decisions/0005), so the buffers count twice toward the process's resident size.
   */
  public static double heapHeadroomMb(List<ModelMemory> models) {
    return models.stream().mapToDouble(ModelMemory::bufferMb).sum();
  }

  /** The whole process: the base, every model's estimate and the heap's headroom over the buffers. */
  public static double totalMb(List<ModelMemory> models) {
    return BASE_MB + models.stream().mapToDouble(ModelMemory::estimateMb).sum() + heapHeadroomMb(models);
  }

  /** Throws a {@link ConfigException} naming the biggest consumers when the estimate exceeds the budget. */
  public static void verify(AmiConfig c, List<ModelMemory> models) {
    double total = totalMb(models);
    double budget = budgetMb(c);
    if (total <= budget) {
      return;
    }
    List<Map.Entry<String, Double>> consumers = new ArrayList<>();
    for (ModelMemory m : models) {
      m.parts().forEach((part, mb) -> consumers.add(Map.entry(m.model() + " " + part, mb)));
    }
    consumers.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
    StringBuilder top = new StringBuilder();
    for (int i = 0; i < Math.min(3, consumers.size()); i++) {
      top.append(i == 0 ? "" : ", ").append(consumers.get(i).getKey()).append(' ')
          .append(Math.round(consumers.get(i).getValue())).append(" MiB");
    }
    throw new ConfigException(String.format("the configured models would need about %.0f MiB, more than the memory "
        + "budget of %.0f MiB (system.memory_budget_mb%s); biggest: %s. Use a smaller preset or smaller buffers, "
        + "or raise the budget", total, budget,
        SystemOptions.from(c).memoryBudgetMb() > 0 ? "" : String.format(": 80 %% of this machine's %.0f MiB",
            physicalMb()), top));
  }
}
