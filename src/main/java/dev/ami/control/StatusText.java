package dev.ami.control;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** One line for people from a status detail: state, ticks, and per model its versions, loss and steps. */
public final class StatusText {
  private StatusText() {
  }

  public static String describe(JsonObject d) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s | ticks %d", d.getString("state", "?"),
        d.getLong("ticks", 0L)));
    if (d.getValue("uptime_s") != null) {
      out.append(String.format(Locale.ROOT, " | up %.0f s", d.getDouble("uptime_s")));
    }
    JsonObject models = d.getJsonObject("models", new JsonObject());
    JsonObject trained = d.getJsonObject("trainer", new JsonObject()).getJsonObject("models", new JsonObject());
    for (String key : models.fieldNames()) {
      JsonObject m = models.getJsonObject(key);
      JsonObject t = trained.getJsonObject(key, new JsonObject());
      Object loss = t.getValue("loss");
      Long inUse = m.getLong("version_in_use");
      out.append(String.format(Locale.ROOT, " | %s %s / v%d published, %d steps, loss %s", key,
          inUse == null ? "not run by the agent" : "v" + inUse + " in use", m.getLong("version_published", 0L),
          t.getLong("steps", 0L), loss instanceof Number n ? String.format(Locale.ROOT, "%.5g", n.doubleValue()) : "-"));
    }
    return out.toString();
  }
}
