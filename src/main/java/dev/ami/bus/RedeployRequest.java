package dev.ami.bus;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code redeploy} asks for, checked once where it comes in (console, HTTP, bus) and carried as JSON in a
 * {@link ControlCommand}'s args: the target, an optional model preset and key overrides, and where the trainer
 * starts (a checkpoint {@code from}, or {@code fresh} weights). Whether keys and values exist is the config
 * loader's to say.
 *
 * @param preset a preset name, or null for the running one
 * @param overrides key → number, string or boolean, in the order given
 * @param from a checkpoint, run folder or {@code latest}; null: the newest snapshots that fit
 * @param fresh new random weights (excludes {@code from})
 */
public record RedeployRequest(String target, String preset, Map<String, Object> overrides, String from,
                              boolean fresh) {
  /** What may be redeployed. */
  public static final List<String> TARGETS = List.of("agent", "trainer", "all");
  private static final List<String> FIELDS = List.of("target", "model", "from", "fresh");

  public RedeployRequest {
    overrides = overrides == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** Whether the agent is redeployed. */
  public boolean agent() {
    return !target.equals("trainer");
  }

  /** Whether the trainer is redeployed. */
  public boolean trainer() {
    return !target.equals("agent");
  }

  /** The overrides as the config loader takes them: a preset first, then each key=value. */
  public List<String> configArgs() {
    List<String> out = new java.util.ArrayList<>();
    if (preset != null) {
      out.add("model.preset=" + preset);
    }
    overrides.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /**
   * Checks a request's JSON: {@code target} (agent, trainer or all), optional {@code model} ({@code preset}: a
   * name, {@code overrides}: an object of key → number, string or boolean), optional {@code from} (a path) and
   * {@code fresh} (a boolean). {@code ignored} fields (a console message's id and cmd) pass.
   *
   * @throws IllegalArgumentException saying what is wrong, in words for the user
   */
  public static RedeployRequest parse(JsonObject json, List<String> ignored) {
    JsonObject j = json == null ? new JsonObject() : json;
    for (String field : j.fieldNames()) {
      if (!FIELDS.contains(field) && !ignored.contains(field)) {
        throw new IllegalArgumentException("redeploy takes target, model, from and fresh; not \"" + field + "\"");
      }
    }
    Object target = j.getValue("target");
    if (!(target instanceof String t) || !TARGETS.contains(t)) {
      throw new IllegalArgumentException("redeploy needs \"target\": one of " + String.join(", ", TARGETS)
          + (target == null ? "" : ", was " + describe(target)));
    }
    String preset = null;
    Map<String, Object> overrides = new LinkedHashMap<>();
    Object model = j.getValue("model");
    if (model != null) {
      if (!(model instanceof JsonObject m)) {
        throw new IllegalArgumentException("\"model\" must be an object like {\"preset\":\"curiosity-small\","
            + "\"overrides\":{\"vae.lr\":0.0003}}");
      }
      for (String field : m.fieldNames()) {
        if (!field.equals("preset") && !field.equals("overrides")) {
          throw new IllegalArgumentException("\"model\" takes preset and overrides; not \"" + field + "\"");
        }
      }
      Object p = m.getValue("preset");
      if (p != null && !(p instanceof String name && name.matches("[A-Za-z0-9_-]{1,64}"))) {
        throw new IllegalArgumentException("\"model.preset\" must be a preset name, was " + describe(p));
      }
      preset = (String) p;
      Object o = m.getValue("overrides");
      if (o != null) {
        if (!(o instanceof JsonObject given)) {
          throw new IllegalArgumentException("\"model.overrides\" must be an object of key → value");
        }
        for (var e : given) {
          Object v = e.getValue();
          if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
            throw new IllegalArgumentException("override " + e.getKey() + " must be a number, string or boolean");
          }
          overrides.put(e.getKey(), v);
        }
      }
    }
    Object from = j.getValue("from");
    if (from != null && (!(from instanceof String f) || f.isBlank())) {
      throw new IllegalArgumentException("\"from\" must be a checkpoint's path");
    }
    Object fresh = j.getValue("fresh");
    if (fresh != null && !(fresh instanceof Boolean)) {
      throw new IllegalArgumentException("\"fresh\" must be true or false");
    }
    if (Boolean.TRUE.equals(fresh) && from != null) {
      throw new IllegalArgumentException("\"fresh\" (new random weights) and \"from\" (a checkpoint) exclude each other");
    }
    return new RedeployRequest((String) target, preset, overrides, (String) from, Boolean.TRUE.equals(fresh));
  }

  /** The request as {@link #parse} reads it back. */
  public JsonObject toJson() {
    JsonObject out = new JsonObject().put("target", target);
    if (preset != null || !overrides.isEmpty()) {
      JsonObject model = new JsonObject();
      if (preset != null) {
        model.put("preset", preset);
      }
      if (!overrides.isEmpty()) {
        model.put("overrides", new JsonObject(new LinkedHashMap<>(overrides)));
      }
      out.put("model", model);
    }
    if (from != null) {
      out.put("from", from);
    }
    if (fresh) {
      out.put("fresh", true);
    }
    return out;
  }

  private static String describe(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
