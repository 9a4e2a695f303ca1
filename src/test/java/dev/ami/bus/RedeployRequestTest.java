package dev.ami.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RedeployRequestTest {
  @Test
  @DisplayName("a full request reads into its fields, gives the loader its preset then its overrides, and writes "
      + "back to the JSON it came from")
  void roundTrip() {
    JsonObject json = new JsonObject("{\"target\":\"all\",\"model\":{\"preset\":\"curiosity-small\","
        + "\"overrides\":{\"vae.lr\":0.0003,\"fd.kind\":\"resnet\",\"reward.count_bits\":16}},\"from\":\"latest\"}");
    RedeployRequest r = RedeployRequest.parse(json, List.of());
    assertThat(r.agent()).isTrue();
    assertThat(r.trainer()).isTrue();
    assertThat(r.from()).isEqualTo("latest");
    assertThat(r.fresh()).isFalse();
    assertThat(r.configArgs()).containsExactly("model.preset=curiosity-small", "vae.lr=3.0E-4", "fd.kind=resnet",
        "reward.count_bits=16");
    assertThat(r.toJson()).isEqualTo(json);
    assertThat(RedeployRequest.parse(new JsonObject().put("target", "agent"), List.of()).trainer()).isFalse();
    assertThat(RedeployRequest.parse(new JsonObject().put("target", "trainer").put("fresh", true), List.of())
        .toJson()).isEqualTo(new JsonObject().put("target", "trainer").put("fresh", true));
  }

  @Test
  @DisplayName("each malformed part is refused with a sentence that names it; ignored fields pass")
  void refusals() {
    assertRefused("{}", "needs \"target\"");
    assertRefused("{\"target\":\"both\"}", "one of agent, trainer, all, was \"both\"");
    assertRefused("{\"target\":7}", "was 7");
    assertRefused("{\"target\":\"all\",\"colour\":1}", "not \"colour\"");
    assertRefused("{\"target\":\"all\",\"model\":\"small\"}", "\"model\" must be an object");
    assertRefused("{\"target\":\"all\",\"model\":{\"size\":1}}", "preset and overrides; not \"size\"");
    assertRefused("{\"target\":\"all\",\"model\":{\"preset\":\"../x\"}}", "a preset name");
    assertRefused("{\"target\":\"all\",\"model\":{\"overrides\":[1]}}", "an object of key");
    assertRefused("{\"target\":\"all\",\"model\":{\"overrides\":{\"a.b\":[1]}}}", "a.b must be a number");
    assertRefused("{\"target\":\"all\",\"from\":\" \"}", "a checkpoint's path");
    assertRefused("{\"target\":\"all\",\"fresh\":\"yes\"}", "true or false");
    assertRefused("{\"target\":\"all\",\"fresh\":true,\"from\":\"latest\"}", "exclude each other");
    assertThat(RedeployRequest.parse(new JsonObject("{\"id\":3,\"cmd\":\"redeploy\",\"target\":\"all\"}"),
        List.of("id", "cmd")).target()).isEqualTo("all");
  }

  private static void assertRefused(String json, String says) {
    assertThatThrownBy(() -> RedeployRequest.parse(new JsonObject(json), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(says);
  }
}
