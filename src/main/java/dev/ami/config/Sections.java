package dev.ami.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The config's keys grouped by what owns them: the process and the world it lives in, which only a restart
 * changes, and the models, which a redeploy swaps.
 */
public final class Sections {
  private static final List<String> PROCESS_AND_WORLD = List.of("console.", "system.", "djl.", "checkpoint.", "env",
      "sim.", "osc.", "capture.", "telemetry.");
  private static final List<String> MODELS = List.of("model.", "vae.", "fd.", "policy.", "ae.");

  private Sections() {
  }

  /** The keys whose values differ between two configs, in key order. */
  public static List<String> changed(AmiConfig before, AmiConfig after) {
    return differing(before.toJson().getMap(), after.toJson().getMap());
  }

  /** The keys whose values differ, or that only one side has, in key order. */
  public static List<String> differing(Map<String, ?> before, Map<String, ?> after) {
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    return keys.stream().filter(k -> !Objects.equals(before.get(k), after.get(k))).toList();
  }

  /** Whether {@code key} belongs to the process or its world. */
  public static boolean ofTheProcess(String key) {
    return PROCESS_AND_WORLD.stream().anyMatch(key::startsWith);
  }

  /** Whether {@code key} describes the models. */
  public static boolean ofTheModels(String key) {
    return MODELS.stream().anyMatch(key::startsWith);
  }

  /** "key (old -> new)", a secret's values hidden: what a refusal may say of a change. */
  public static String describeChange(String key, AmiConfig before, AmiConfig after) {
    return key + " (" + Secrets.shown(key, before.toJson().getValue(key)) + " -> "
        + Secrets.shown(key, after.toJson().getValue(key)) + ")";
  }
}
