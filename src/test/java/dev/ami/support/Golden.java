package dev.ami.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Known answers for the curiosity agent's math, computed independently in PyTorch (float64) from the group's
 * definitions: {@code src/test/resources/golden/curiosity.json} (see the README beside it).
 */
public final class Golden {
  private Golden() {
  }

  public static JsonObject section(String key) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/curiosity.json")) {
      if (in == null) {
        throw new IllegalStateException("golden/curiosity.json is not on the test classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonObject(key);
    } catch (IOException e) {
      throw new IllegalStateException("golden answers not readable: " + e.getMessage(), e);
    }
  }

  public static float[] floats(JsonObject o, String key) {
    JsonArray a = o.getJsonArray(key);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getNumber(i).floatValue();
    }
    return out;
  }
}
