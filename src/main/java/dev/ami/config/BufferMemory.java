package dev.ami.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the data buffers will hold once full, checked before anything starts: frames are uint8 on the Java
 * heap, so a buffer configuration that cannot fit the heap is refused with the biggest consumers named,
 * rather than ending in an OutOfMemoryError an hour into a run.
 */
public final class BufferMemory {
  /** Share of the maximum heap the buffers may fill; the rest is for everything else. */
  static final double HEAP_SHARE = 0.7;

  private BufferMemory() {
  }

  /** Bytes each buffer holds when full, by its capacity key. */
  public static Map<String, Long> estimate(AmiConfig c) {
    long frame = 3L * c.getInt("model.input_size") * c.getInt("model.input_size") + 64;
    Map<String, Long> out = new LinkedHashMap<>();
    if (c.getString("model.kind").equals("autoencoder")) {
      out.put("ae.buffer", c.getInt("ae.buffer") * frame);
    } else {
      long hidden = (long) dev.ami.model.DynamicsSpec.from(c).hiddenSize() * Float.BYTES;
      out.put("vae.buffer", c.getInt("vae.buffer") * frame);
      out.put("fd.buffer", c.getInt("fd.buffer") * (frame + hidden + 200)); // each step record with its hidden state
      out.put("policy.buffer", c.getInt("policy.buffer") * (frame + hidden + 200));
    }
    return out;
  }

  static void verify(AmiConfig c) {
    Map<String, Long> parts = estimate(c);
    long total = parts.values().stream().mapToLong(Long::longValue).sum();
    long allowed = (long) (Runtime.getRuntime().maxMemory() * HEAP_SHARE);
    if (total > allowed) {
      StringBuilder detail = new StringBuilder();
      parts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(e -> detail.append(detail.length() == 0 ? "" : ", ").append(e.getKey()).append('=')
              .append(c.getInt(e.getKey())).append(" needs ").append(e.getValue() >> 20).append(" MiB"));
      throw new ConfigException("the data buffers would hold " + (total >> 20) + " MiB, more than "
          + Math.round(HEAP_SHARE * 100) + " % of the JVM's heap (" + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB): " + detail + ". Lower them or give Java more heap (-Xmx)");
    }
  }
}
