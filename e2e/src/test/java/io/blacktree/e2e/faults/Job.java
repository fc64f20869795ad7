package io.blacktree.e2e.faults;

import io.blacktree.testsupport.TestRequests;
import io.blacktree.core.BuildRequest;
import io.blacktree.core.Names;
import io.blacktree.testsupport.TestIds;
import io.blacktree.testsupport.git.GitRepos;
import io.blacktree.workflow.api.DeployJobStart;
import io.blacktree.workflow.api.DeployJobWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One job of a {@link FaultStack}: a repo with a tiny FROM-scratch app (its RUN prints a unique marker), and the
 * request that builds it. {@link #start()} starts its workflow through the Temporal API, as the bridge does.
 */
final class Job {
  final String repo;
  final String ecrRepo;
  final String version = "v1";
  final String marker;
  final String workflowId;
  final BuildRequest request;
  private final WorkflowClient client;
  private final String deployTaskQueue;
  private final String registryAddress;

  /**
   * @param client          starts the job's workflow
   * @param deployTaskQueue the orchestrator's deploy task queue
   * @param registryAddress host:port the worker pushes to (the registry proxy)
   * @param createRepo      whether to create the repository on the git server
   */
  Job(TestIds ids, GitRepos repos, WorkflowClient client, String deployTaskQueue, String registryAddress,
      String what, String extraRun, Map<String, Object> extraFiles, boolean createRepo) {
    this.client = client;
    this.deployTaskQueue = deployTaskQueue;
    this.registryAddress = registryAddress;
    this.repo = "acme/" + ids.next(what);
    this.ecrRepo = ids.next(what);
    this.marker = "fault-" + ids.next(what) + "-" + System.nanoTime();
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("busybox", Path.of("/bin/busybox"));
    files.put("hello.txt", marker + "\n");
    files.putAll(extraFiles);
    files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCOPY hello.txt /hello.txt\n"
        + "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo " + marker + "; " + extraRun + "\"]\n"
        + "CMD [\"/bin/busybox\", \"cat\", \"/hello.txt\"]\n");
    if (createRepo) {
      repos.create(repo, "main", files);
    }
    this.request = TestRequests.of(repo, "main", version, FaultStack.ACCOUNT, ecrRepo,
        FaultStack.REGION, "req-" + ids.next(what));
    this.workflowId = Names.workflowId(request, FaultStack.REGION);
  }

  WorkflowStub start() {
    DeployJobWorkflow wf = client.newWorkflowStub(DeployJobWorkflow.class,
        DeployJobStart.options(request, deployTaskQueue));
    WorkflowClient.start(wf::run, new DeployJobWorkflow.DeployJobInput(request, java.util.List.of()));
    return WorkflowStub.fromTyped(wf);
  }

  String imageUrl() {
    return registryAddress + "/" + ecrRepo + ":" + version;
  }
}
