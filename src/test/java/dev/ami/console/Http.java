package dev.ami.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking HTTP client for tests against the console. */
public final class Http {
  // HTTP/1.1 as curl and scripts speak it: the JDK client's default h2c upgrade attempt once left a
  // request unanswered on a loaded machine while the console itself kept answering other clients
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(30)).build();
  private final String base;

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public HttpResponse<String> get(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  public HttpResponse<String> post(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()), headers);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String... headers) throws Exception {
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
