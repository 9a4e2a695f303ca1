package dev.ami.config;

import java.util.Map;

/**
 * What the data buffers will hold once full, checked before anything starts: frames (uint8) and hidden states
 * live off the Java heap in direct memory, whose limit is the heap's maximum unless
 * {@code -XX:MaxDirectMemorySize} sets another, so a buffer configuration that cannot fit is refused with the
 * biggest consumers named, rather than ending in an OutOfMemoryError an hour into a run.
 */
public final class BufferMemory {
  /** Share of the direct memory limit the buffers may fill; the rest is for Netty, Vert.x and the mirrors. */
  static final double HEAP_SHARE = 0.7;

  private BufferMemory() {
  }

  /** Bytes one frame takes in a buffer: its pixels (uint8) and the slot's bookkeeping. */
  public static long frameBytes(AmiConfig c) {
    return 3L * c.getInt("model.input_size") * c.getInt("model.input_size") + 64;
  }

  static void verify(AmiConfig c) {
    Map<String, Long> parts = KindRules.of(c).bufferBytes(c);
    long total = parts.values().stream().mapToLong(Long::longValue).sum();
    long allowed = (long) (directLimit() * HEAP_SHARE);
    if (total > allowed) {
      StringBuilder detail = new StringBuilder();
      parts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> detail.append(detail.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
              .append(c.getInt(e.getKey())).append(" needs ").append(e.getValue() >> 20).append(" MiB"));
      throw new ConfigException("the data buffers would hold " + (total >> 20) + " MiB, more than "
          + Math.round(HEAP_SHARE * 100) + " % of the JVM's direct memory limit (" + (directLimit() >> 20)
          + " MiB): " + detail + ". Lower them or give Java more (-Xmx, or -XX:MaxDirectMemorySize)");
    }
  }

  /** The JVM's direct memory limit: -XX:MaxDirectMemorySize, or the heap's maximum when that is 0 (unset). */
  static long directLimit() {
    try {
      long set = Long.parseLong(java.lang.management.ManagementFactory
          .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption("MaxDirectMemorySize").getValue());
      return set > 0 ? set : Runtime.getRuntime().maxMemory();
    } catch (RuntimeException e) { // not HotSpot: the JDK's own default
      return Runtime.getRuntime().maxMemory();
    }
  }
}
