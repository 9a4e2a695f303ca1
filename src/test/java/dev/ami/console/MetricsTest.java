package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.hawkular.agent.prometheus.types.Summary;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Prometheus text parser the /metrics tests rely on (Hawkular's prometheus-scraper), checked itself. */
@DisplayName("Prometheus text parsing")
class MetricsTest {
  /** Parses Prometheus text exposition format into metric families; throws on malformed input. */
  static List<MetricFamily> families(String text) throws Exception {
    TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    List<MetricFamily> out = new ArrayList<>();
    MetricFamily f;
    while ((f = parser.parse()) != null) {
      out.add(f);
    }
    return out;
  }

  @Test
  @DisplayName("the parser reads types, labels and values")
  void parses() throws Exception {
    List<MetricFamily> fs = families("""
        # HELP ami_x_total things
        # TYPE ami_x_total counter
        ami_x_total{a="b"} 3.0
        # HELP ami_y a gauge
        # TYPE ami_y gauge
        ami_y NaN
        # HELP ami_z_seconds a summary
        # TYPE ami_z_seconds summary
        ami_z_seconds{quantile="0.99"} 0.25
        ami_z_seconds_count 4
        ami_z_seconds_sum 1.0
        """);
    assertThat(fs).extracting(MetricFamily::getName).containsExactly("ami_x_total", "ami_y", "ami_z_seconds");
    assertThat(fs.get(0).getType()).isEqualTo(MetricType.COUNTER);
    assertThat(fs.get(0).getMetrics().get(0).getLabels()).containsEntry("a", "b");
    Summary z = (Summary) fs.get(2).getMetrics().get(0);
    assertThat(z.getSampleCount()).isEqualTo(4);
    assertThat(z.getQuantiles().get(0).getValue()).isEqualTo(0.25);
  }
}
