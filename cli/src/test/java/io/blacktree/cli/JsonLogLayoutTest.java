package io.blacktree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String line(String msg, Map<String, String> mdc, Throwable error) {
    LoggerContext context = new LoggerContext();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("io.blacktree.worker.JobRunner"), Level.INFO,
        msg, error, null);
    event.setMDCPropertyMap(mdc);
    JsonLogLayout layout = new JsonLogLayout();
    layout.setContext(context);
    layout.start();
    return layout.doLayout(event);
  }

  @Test
  void doLayout_jobLine_oneJsonObjectWithMdcFields() throws Exception {
    String line = line("job j started", Map.of("workflow_id", "deploy:1:r:e:v", "job_id", "deploy:1:r:e:v/run/2",
        "attempt", "2", "worker", "w1"), null);

    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
    JsonNode json = JSON.readTree(line);
    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("logger").asText()).isEqualTo("io.blacktree.worker.JobRunner");
    assertThat(json.path("msg").asText()).isEqualTo("job j started");
    assertThat(json.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(json.path("workflow_id").asText()).isEqualTo("deploy:1:r:e:v");
    assertThat(json.path("job_id").asText()).isEqualTo("deploy:1:r:e:v/run/2");
    assertThat(json.path("attempt").asText()).isEqualTo("2");
    assertThat(json.path("worker").asText()).isEqualTo("w1");
  }

  @Test
  void doLayout_secretInMessageAndError_masked() throws Exception {
    String line = line("cloning https://user:hunter2secret@git.example/r \"quoted\"", Map.of(),
        new IllegalStateException("password=hunter2secret"));

    JsonNode json = JSON.readTree(line);
    assertThat(line).doesNotContain("hunter2secret");
    assertThat(json.path("msg").asText()).contains("\"quoted\"").contains("****@git.example");
    assertThat(json.path("error").asText()).startsWith("java.lang.IllegalStateException: password=****");
  }
}
