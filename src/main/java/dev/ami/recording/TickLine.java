package dev.ami.recording;

import dev.ami.bus.ModelTick;
import dev.ami.bus.TickRecord;
import dev.ami.env.Action;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;

/** One line of a segment's JSONL: what the agent did on one tick, and where the frame it saw is in the video. */
final class TickLine {
  private TickLine() {
  }

  /**
   * @param frame the frame's index in the segment's video, or null when it was not written (none, or dropped)
   */
  static String of(TickRecord r, Integer frame) {
    Action a = Action.fromIndex(r.action());
    JsonObject versions = new JsonObject();
    for (Map.Entry<String, ModelTick> e : r.models().entrySet()) {
      versions.put(e.getKey(), e.getValue().versionUsed());
    }
    double[] h = r.entropies();
    JsonObject line = new JsonObject()
        .put("tick", r.tick())
        .put("wall_ms", r.wallMillis())
        .put("action", new JsonArray().add(a.vertical()).add(a.horizontal()).add(a.lookHorizontal()).add(a.jump())
            .add(a.run()))
        .put("reward", Double.isFinite(r.reward()) ? r.reward() : null)
        .put("versions", versions)
        .put("entropy", h == null ? null : new JsonArray(Arrays.stream(h).boxed().map(v -> (Object) v).toList()))
        .put("blind", r.blind());
    if (r.place() != null) {
      line.put("cell", new JsonArray().add(r.place().x()).add(r.place().y())).put("room", r.place().room());
    }
    line.put("frame", frame);
    return line.encode();
  }
}
