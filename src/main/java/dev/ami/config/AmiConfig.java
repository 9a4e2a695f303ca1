package dev.ami.config;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated configuration: every key of {@link Schema} with its value. Verticles receive it as their
 * deployment config ({@link #toJson()}) and read it back through {@link #of(JsonObject)}.
 */
public final class AmiConfig {
  /** Where a loaded config came from: its file (null for the default) and the command-line overrides. */
  public record Source(java.nio.file.Path file, java.util.List<String> overrides) {
  }

  private final Map<String, Object> values;
  private final Source source;

  AmiConfig(Map<String, Object> values) {
    this(values, null);
  }

  private AmiConfig(Map<String, Object> values, Source source) {
    this.values = Map.copyOf(values);
    this.source = source;
  }

  /** The same values, remembering how they were loaded, so a redeploy can load them again with other presets. */
  AmiConfig withSource(Source s) {
    return new AmiConfig(values, s);
  }

  /** How this config was loaded; null when it was not loaded from a file and a command line (a deployment's copy). */
  public Source source() {
    return source;
  }

  /** The defaults of every key. */
  public static AmiConfig defaults() {
    Map<String, Object> m = new TreeMap<>();
    Schema.settings().forEach((k, s) -> m.put(k, s.defaultValue()));
    return new AmiConfig(m);
  }

  /** Reads a config that {@link #toJson()} produced (values are re-checked; missing keys take defaults). */
  public static AmiConfig of(JsonObject json) {
    Map<String, Object> m = new TreeMap<>();
    Schema.settings().forEach((k, s) -> {
      Object v = json.getValue(k);
      m.put(k, v == null ? s.defaultValue() : s.check(v));
    });
    return new AmiConfig(m);
  }

  /** A copy with some keys changed; each value is validated. */
  public AmiConfig with(Map<String, ?> changes) {
    Map<String, Object> m = new TreeMap<>(values);
    changes.forEach((k, v) -> m.put(k, Schema.require(k).check(v)));
    return new AmiConfig(m);
  }

  /**
   * A copy with keys the launcher sets (the run's mode, the parent run), as if given last on the command line:
   * each value is validated, and a reload for a redeploy keeps them.
   */
  public AmiConfig withLauncherKeys(Map<String, String> keys) {
    Map<String, Object> m = new TreeMap<>(values);
    keys.forEach((k, v) -> m.put(k, Schema.require(k).parse(v)));
    Source s = source;
    if (s != null) {
      java.util.List<String> overrides = new java.util.ArrayList<>(s.overrides());
      keys.forEach((k, v) -> overrides.add(k + "=" + v));
      s = new Source(s.file(), java.util.List.copyOf(overrides));
    }
    return new AmiConfig(m, s);
  }

  /** A copy with one override in {@code key=value} text form, as on the command line. */
  public AmiConfig withOverride(String key, String text) {
    Map<String, Object> m = new TreeMap<>(values);
    m.put(key, Schema.require(key).parse(text));
    return new AmiConfig(m);
  }

  public JsonObject toJson() {
    return new JsonObject(new TreeMap<>(values));
  }

  public int getInt(String key) {
    return (Integer) value(key);
  }

  public long getLong(String key) {
    return (Long) value(key);
  }

  public double getDouble(String key) {
    return (Double) value(key);
  }

  public boolean getBool(String key) {
    return (Boolean) value(key);
  }

  public String getString(String key) {
    return (String) value(key);
  }

  private Object value(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("not a config key: " + key);
    }
    return v;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
