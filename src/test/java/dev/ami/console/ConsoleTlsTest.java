package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.cluster.ClusterCerts;
import dev.ami.console.cli.ConsoleClient;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console over TLS, with a certificate from cluster-init (SAN 127.0.0.1): HTTPS and WSS with the token, the
 * cookie marked Secure, a plain connection refused, and the terminal console's wss:// with --ca.
 */
@DisplayName("the console over TLS")
@RuntimeTest
class ConsoleTlsTest {

  @Test
  @DisplayName("HTTPS and WSS (offering compression, as browsers do) with the token; the cookie is Secure;"
      + " plain HTTP gets nothing; the terminal console connects over wss:// trusting the CA it is given")
  void servesTls(@TempDir Path dir) throws Exception {
    ClusterCerts.init(dir, List.of("127.0.0.1"));
    Path node = dir.resolve("127.0.0.1");
    try (TestRuntime rt = TestRuntime.start(Map.of("env", "noise", "console.token", "t0ken",
        "console.tls.cert", node.resolve("node.crt").toString(), "console.tls.key", node.resolve("node.key").toString()))) {
      int port = (Integer) rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
      PemTrustOptions trust = new PemTrustOptions().addCertPath(dir.resolve("ca.crt").toString());

      var https = rt.vertx().createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(trust));
      var page = TestRuntime.await(https.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
          .setPort(port).setURI("/?token=t0ken")).compose(r -> r.send()));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.cookies()).anySatisfy(c -> assertThat(c).startsWith(AccessGuard.COOKIE + "=").contains("; Secure")
          .containsIgnoringCase("HttpOnly"));

      TestSocket wss = TestSocket.open(rt.vertx(), new WebSocketClientOptions().setSsl(true).setTrustOptions(trust)
          .setTryUsePerMessageCompression(true), TestSocket.options(port).setSsl(true)
          .putHeader("Authorization", "Bearer t0ken"));
      JsonObject status = wss.request("status");
      assertThat(status.getBoolean("ok")).as(status.encode()).isTrue();
      wss.close();

      var plain = rt.vertx().createHttpClient(new HttpClientOptions());
      var refused = plain.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
          .setURI("/health?token=t0ken")).compose(r -> r.send()).toCompletionStage().toCompletableFuture();
      assertThat(refused).failsWithin(30, TimeUnit.SECONDS);

      try (ConsoleClient cli = ConsoleClient.connect(rt.vertx(), "https://127.0.0.1:" + port + "/", "t0ken",
          dir.resolve("ca.crt").toString())) {
        assertThat(cli.request(new JsonObject().put("cmd", "status")).getBoolean("ok")).isTrue();
      }
    }
  }
}
