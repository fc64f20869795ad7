package io.blacktree.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine's items as the engine sends them (JSON), read by the build and push streams. */
class EngineStreamTest {
  private final ObjectMapper json = new ObjectMapper();

  private final List<String> logged = new ArrayList<>();

  /** A stream that only keeps errors, as the push step's does besides its digest. */
  private final class Kept extends EngineStream<PushResponseItem> {
    Kept() {
      super(logged::add);
    }

    @Override
    public void onNext(PushResponseItem item) {
      keptError(item, "push error: ");
    }
  }

  @Test
  void onNext_itemWithErrorDetail_keepsTheDetailMessage() throws IOException {
    Kept stream = new Kept();

    stream.onNext(json.readValue("{\"status\":\"Preparing\",\"id\":\"abc\"}", PushResponseItem.class));
    stream.onNext(json.readValue("{\"errorDetail\":{\"message\":\"denied: requested access to the resource\"},"
        + "\"error\":\"denied\"}", PushResponseItem.class));

    assertThat(stream.errorMessage()).isEqualTo("denied: requested access to the resource");
    assertThat(stream.error()).isNull();
    assertThat(logged).containsExactly("push error: denied: requested access to the resource");
  }

  @Test
  void onNext_itemWithErrorOnly_keepsTheError() throws IOException {
    Kept stream = new Kept();

    stream.onNext(json.readValue("{\"error\":\"unknown blob\"}", PushResponseItem.class));

    assertThat(stream.errorMessage()).isEqualTo("unknown blob");
  }

  @Test
  void onError_streamFails_keepsTheFailureAndCloses() throws InterruptedException {
    Kept stream = new Kept();
    IllegalStateException failure = new IllegalStateException("connection reset");

    stream.onError(failure);

    assertThat(stream.error()).isSameAs(failure);
    assertThat(stream.awaitCompletion(0, TimeUnit.MILLISECONDS)).as("closed").isTrue();
  }

  @Test
  void buildOutput_errorItem_loggedAndKept() throws IOException {
    List<String> log = new ArrayList<>();
    EngineBuildOutput output = new EngineBuildOutput(log::add, new BuildContainers(null));

    output.onNext(json.readValue("{\"stream\":\"Step 1/2 : FROM scratch\\n\"}", BuildResponseItem.class));
    output.onNext(json.readValue("{\"stream\":\" ---> Running in 0123456789ab\\n\"}", BuildResponseItem.class));
    output.onNext(json.readValue("{\"errorDetail\":{\"code\":1,\"message\":\"The command returned a non-zero "
        + "code: 1\"},\"error\":\"The command returned a non-zero code: 1\"}", BuildResponseItem.class));

    assertThat(output.errorMessage()).isEqualTo("The command returned a non-zero code: 1");
    assertThat(log).containsExactly("Step 1/2 : FROM scratch", " ---> Running in 0123456789ab",
        "error: The command returned a non-zero code: 1");
    assertThat(output.containerIds()).containsExactly("0123456789ab");
    assertThat(output.imageId()).isNull();
  }
}
