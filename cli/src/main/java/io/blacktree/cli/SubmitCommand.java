package io.blacktree.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.blacktree.bridge.QueueNames;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.DeployResult;
import io.blacktree.core.Names;
import io.blacktree.core.ValidationPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blacktree submit}: publishes a build request the way the API does (reply_to + correlation_id).
 * With {@code --wait} it follows the job and prints the result: exit 0 success, 1 failed or cancelled,
 * 2 rejected by the bridge, 3 RabbitMQ or Temporal unreachable.
 */
@Command(name = "submit", description = "Publish a build request like the API; --wait follows it to the result.")
final class SubmitCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin AmqpOptions amqp;
  @Mixin TemporalOptions temporal;
  @Mixin RequestOptions.Source source;

  @Option(names = "--wait", description = "Follow the job (step, elapsed) and print its result (env BLACKTREE_WAIT).")
  boolean waitForResult;

  @Option(names = "--timeout", defaultValue = "PT1H",
      description = "How long --wait waits (ISO-8601, default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--default-region", defaultValue = ValidationPolicy.DEFAULT_REGION,
      description = "The bridge's default region, to name the workflow of a request without one "
          + "(default: ${DEFAULT-VALUE}).")
  String defaultRegion;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  private static final Duration CONNECT_BOUND = Duration.ofSeconds(30);

  @Override
  public Integer call() throws CliException, InterruptedException {
    byte[] body = RequestOptions.body(source);
    Optional<String> workflowId = RequestOptions.parse(body)
        .filter(r -> r.awsAccount() != null && r.ecrRepo() != null && r.deploymentVersion() != null)
        .map(r -> Names.workflowId(r, defaultRegion));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // A job is followed beside a Temporal that may be busy (components starting next to it): wait for it a while.
    TemporalClients clients = waitForResult ? temporal.connectWaiting(TemporalExtras.NONE, CONNECT_BOUND) : null;
    try (Connection connection = amqp.connect("blacktree-submit");
        Channel channel = connection.createChannel()) {
      RequestPublisher publisher =
          new RequestPublisher(channel, QueueNames.withPrefix(amqp.queuePrefix()).buildQueue());
      String correlationId = publisher.publish(body);
      err.printf("Published to %s (correlation_id %s)%s%n", QueueNames.withPrefix(amqp.queuePrefix()).buildQueue(),
          correlationId, workflowId.map(id -> "; workflow " + id).orElse(""));
      err.flush();
      if (!waitForResult) {
        workflowId.ifPresent(out::println);
        out.flush();
        return ExitCode.OK;
      }
      DeployResult result = new JobFollower(publisher, new Jobs(clients), err, timeout)
          .follow(correlationId, workflowId.orElse(null));
      if (json) {
        ResultPrinter.printJson(result, out);
      } else {
        ResultPrinter.print(result, out);
      }
      return ResultPrinter.exitCode(result);
    } catch (IOException | TimeoutException e) {
      throw CliException.unreachable("publishing to RabbitMQ failed: " + TemporalOptions.rootMessage(e), e);
    } finally {
      if (clients != null) {
        clients.close();
      }
    }
  }

  /** For tests: the request these flags describe. */
  BuildRequest request() throws CliException {
    return source.toRequest();
  }
}
