package dev.ami.system;

import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.VertxThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x's thread factory, found by its ServiceLoader (META-INF/services): each event loop, worker and internal
 * thread moves itself to the CPU plan's side CPUs before its first task, wherever it was started from.
 */
public final class VertxThreads implements VertxThreadFactory {
  @Override
  public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime,
                                    TimeUnit maxExecTimeUnit) {
    return VertxThreadFactory.super.newVertxThread(() -> {
      CpuPlan.enterSideThread();
      target.run();
    }, name, worker, maxExecTime, maxExecTimeUnit);
  }
}
