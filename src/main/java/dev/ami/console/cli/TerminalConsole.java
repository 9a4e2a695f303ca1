package dev.ami.console.cli;

import dev.ami.control.StatusText;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The interactive prompt of {@code ami console}: reads a command per line, sends it over the WebSocket
 * protocol and prints the answer. The prompt shows the system's state, e.g. {@code ami (paused) > }.
 */
public final class TerminalConsole {
  static final String HELP = String.join(System.lineSeparator(),
      "commands:",
      "  pause, p          pause the agent (actuators neutral) and the trainer",
      "  resume, r         resume both",
      "  step N, s N       run N ticks while paused, then pause again (1..10000)",
      "  status            state, ticks, parameter versions, trainer",
      "  models, m         per model: loss, steps/s, versions; the reward and the policy's distribution",
      "  checkpoint        save the models",
      "  redeploy T [preset=NAME] [from=PATH] [fresh] [key=value ...]",
      "                    T = agent, trainer or all: new models without a restart",
      "  shutdown          stop the whole process (asks to confirm)",
      "  help, ?           this list",
      "  quit, q           leave the console (the agent keeps running)");

  /** What one input line asks for. */
  sealed interface Input {
    record Send(String cmd, int n) implements Input { }

    record Request(JsonObject request) implements Input { }

    record Hint(String text) implements Input { }

    record Confirm(String cmd) implements Input { }

    record Help() implements Input { }

    record Models() implements Input { }

    record Quit() implements Input { }

    record Nothing() implements Input { }
  }

  private final BufferedReader in;
  private final PrintWriter out;
  private final ConsoleClient client;
  private volatile String state = "unknown";
  private volatile JsonObject lastTelemetry;

  public TerminalConsole(BufferedReader in, PrintWriter out, ConsoleClient client) {
    this.in = in;
    this.out = out;
    this.client = client;
  }

  /** Reads one line of input into what it asks for. */
  static Input parse(String line) {
    String[] words = line.trim().toLowerCase(Locale.ROOT).split("\\s+");
    String w = words[0];
    if (w.equals("redeploy")) {
      return redeploy(line.trim().split("\\s+"));
    }
    if (w.isEmpty()) {
      return new Input.Nothing();
    }
    if (words.length > 2 || (words.length == 2 && !w.equals("step") && !w.equals("s"))) {
      return new Input.Hint("'" + w + "' takes no argument; type help for the list");
    }
    return switch (w) {
      case "pause", "p" -> new Input.Send("pause", 0);
      case "resume", "r" -> new Input.Send("resume", 0);
      case "status" -> new Input.Send("status", 0);
      case "checkpoint" -> new Input.Send("checkpoint", 0);
      case "shutdown" -> new Input.Confirm("shutdown");
      case "step", "s" -> step(words);
      case "help", "?", "h" -> new Input.Help();
      case "models", "m" -> new Input.Models();
      case "quit", "q", "exit" -> new Input.Quit();
      default -> new Input.Hint("unknown command '" + w + "'; try pause, resume, step N, status, models, "
          + "checkpoint, shutdown, quit (help for more)");
    };
  }

  /** {@code redeploy agent|trainer|all [preset=NAME] [from=PATH] [fresh] [key=value ...]}, in the words' own case. */
  private static Input redeploy(String[] words) {
    if (words.length < 2 || !List.of("agent", "trainer", "all").contains(words[1].toLowerCase(Locale.ROOT))) {
      return new Input.Hint("redeploy needs a target: agent, trainer or all, e.g. redeploy all preset=curiosity-small");
    }
    JsonObject request = new JsonObject().put("cmd", "redeploy").put("target", words[1].toLowerCase(Locale.ROOT));
    JsonObject model = new JsonObject();
    JsonObject overrides = new JsonObject();
    for (int i = 2; i < words.length; i++) {
      if (words[i].equalsIgnoreCase("fresh")) {
        request.put("fresh", true);
        continue;
      }
      int eq = words[i].indexOf('=');
      if (eq <= 0 || eq == words[i].length() - 1) {
        return new Input.Hint("'" + words[i] + "' is not key=value; e.g. preset=curiosity-small vae.lr=0.0003");
      }
      String key = words[i].substring(0, eq);
      String value = words[i].substring(eq + 1);
      switch (key) {
        case "preset" -> model.put("preset", value);
        case "from" -> request.put("from", value);
        default -> overrides.put(key, value);
      }
    }
    if (!overrides.isEmpty()) {
      model.put("overrides", overrides);
    }
    if (!model.isEmpty()) {
      request.put("model", model);
    }
    return new Input.Request(request);
  }

  private static Input step(String[] words) {
    if (words.length < 2) {
      return new Input.Hint("step needs a tick count, e.g. step 5");
    }
    try {
      int n = Integer.parseInt(words[1]);
      if (n >= 1 && n <= 10_000) {
        return new Input.Send("step", n);
      }
    } catch (NumberFormatException e) {
      // falls through to the hint
    }
    return new Input.Hint("step N needs a whole number from 1 to 10000, got '" + words[1] + "'");
  }

  /** Runs until quit, end of input or a closed connection; returns the exit code. */
  public int run() throws Exception {
    client.onPush(this::onPush);
    out.println("connected; type help for the commands");
    send(new JsonObject().put("cmd", "subscribe").put("topics", new JsonArray().add("events").add("telemetry")),
        false);
    send(new JsonObject().put("cmd", "status"), false);
    while (true) {
      if (client.isClosed()) {
        out.println("the console closed the connection");
        return 0;
      }
      prompt();
      String line = in.readLine();
      if (line == null) {
        out.println();
        return 0;
      }
      if (!handle(parse(line))) {
        return 0;
      }
    }
  }

  /** Carries out one input; false means leave. */
  private boolean handle(Input input) throws Exception {
    if (input instanceof Input.Request r) {
      send(r.request(), true);
    } else if (input instanceof Input.Send s) {
      send(s.n() > 0 ? new JsonObject().put("cmd", s.cmd()).put("n", s.n())
          : new JsonObject().put("cmd", s.cmd()), true);
    } else if (input instanceof Input.Confirm c) {
      confirm(c.cmd());
    } else if (input instanceof Input.Hint h) {
      out.println(h.text());
    } else if (input instanceof Input.Help) {
      out.println(HELP);
    } else if (input instanceof Input.Models) {
      JsonObject t = lastTelemetry;
      out.println(t == null ? "no telemetry yet" : describeModels(t));
    } else {
      return !(input instanceof Input.Quit);
    }
    return true;
  }

  private void confirm(String cmd) throws Exception {
    out.print("really " + cmd + " the agent and trainer? [y/N] ");
    out.flush();
    String answer = in.readLine();
    if (answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
      send(new JsonObject().put("cmd", cmd), true);
    } else {
      out.println("not sent");
    }
  }

  private void send(JsonObject request, boolean print) throws Exception {
    JsonObject reply = client.request(request);
    if (reply.getString("state") != null) {
      state = reply.getString("state");
    }
    if (print) {
      out.println(describe(request.getString("cmd"), reply));
    }
  }

  static String describe(String cmd, JsonObject r) {
    if (!r.getBoolean("ok", false)) {
      return "error: " + r.getString("error");
    }
    if ("status".equals(cmd)) {
      return StatusText.describe(r);
    }
    if ("redeploy".equals(cmd)) {
      StringBuilder b = new StringBuilder("ok: " + r.getString("state") + "; redeployed " + r.getString("redeployed")
          + " (built in " + r.getValue("build_ms") + " ms");
      if (r.getValue("handover_ms") != null) {
        b.append(", handover ").append(r.getValue("handover_ms")).append(" ms, missed ticks ")
            .append(r.getValue("missed_ticks"));
      }
      b.append(')');
      JsonArray warnings = r.getJsonArray("warnings", new JsonArray());
      for (Object w : warnings) {
        b.append(System.lineSeparator()).append("warning: ").append(w);
      }
      return b.toString();
    }
    if ("checkpoint".equals(cmd)) {
      return "ok: checkpoint " + r.getString("path") + " (" + String.format(Locale.ROOT, "%.1f MB",
          r.getLong("bytes", 0L) / 1e6) + " in " + r.getValue("ms") + " ms)";
    }
    return "ok: " + r.getString("state") + (r.containsKey("ticks") ? " (ticks " + r.getLong("ticks") + ")" : "");
  }

  /** The models, the reward and the policy's distribution from a telemetry push, a few lines. */
  static String describeModels(JsonObject t) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-7s %10s %8s %8s %10s %9s %4s%n", "model",
        "loss", "steps/s", "steps", "published", "in use", "lag"));
    JsonObject models = t.getJsonObject("models", new JsonObject());
    for (String key : models.fieldNames()) {
      JsonObject m = models.getJsonObject(key);
      Object loss = m.getValue("loss");
      out.append(String.format(Locale.ROOT, "%-7s %10s %8s %8d %10s %9s %4d%n", key,
          loss instanceof Number n ? String.format(Locale.ROOT, "%.5g", n.doubleValue()) : "-",
          m.getValue("steps_per_s") == null ? "-" : String.format(Locale.ROOT, "%.1f", m.getDouble("steps_per_s")),
          m.getLong("steps", 0L), "v" + m.getLong("version_published", 0L), "v" + m.getLong("version_in_use", 0L),
          m.getLong("policy_lag", 0L)));
    }
    JsonObject reward = t.getJsonObject("reward");
    if (reward != null && reward.getValue("last") != null) {
      out.append(String.format(Locale.ROOT, "reward: last %.4g, 60 s mean %.4g%n", reward.getDouble("last"),
          reward.getDouble("mean")));
    }
    JsonObject actions = t.getJsonObject("actions");
    if (actions != null) {
      JsonObject mean = actions.getJsonObject("mean");
      out.append("policy (5 s mean):");
      for (String part : mean.fieldNames()) {
        out.append(' ').append(part).append(' ');
        JsonArray p = mean.getJsonArray(part);
        for (int i = 0; i < p.size(); i++) {
          out.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.2f", p.getDouble(i)));
        }
      }
      out.append(System.lineSeparator());
    }
    JsonObject world = t.getJsonObject("world");
    if (world != null) {
      out.append(String.format(Locale.ROOT, "explored: %d of %d cells, %d in the last minute%n",
          world.getLong("cells_visited"), world.getLong("floor_cells"), world.getLong("cells_last_minute")));
    }
    return out.toString().stripTrailing();
  }

  private void onPush(JsonObject push) {
    if ("telemetry".equals(push.getString("type"))) {
      lastTelemetry = push;
      return;
    }
    if (!"event".equals(push.getString("type"))) {
      return;
    }
    if ("step-done".equals(push.getString("kind"))) {
      state = "paused";
    }
    synchronized (out) {
      out.println();
      out.println("[" + push.getString("level") + "] " + push.getString("kind") + ": " + push.getString("message"));
      prompt();
    }
  }

  private void prompt() {
    synchronized (out) {
      out.print("ami (" + state + ") > ");
      out.flush();
    }
  }
}
