// What the walkthrough replays: every kubectl command sequence of the seed notes
// (/work/shared/seeds/000…004), on our kinds. The seeds' commands become:
//   ds / sts / deploy / rs                 → mds / msts / mdeploy / mrs
//   kubectl rollout … , kubectl set …      → kubectl my rollout … , kubectl my set …  (the plugin)
//   get, describe, scale, autoscale, patch, annotate, apply, create, taint, delete → plain kubectl
// Commands the seeds do not have are marked `why` without `seed`: they set the stage (namespace,
// storage) or show what the note describes in words.
import type { Settle } from './settle.ts';
import type { SeedSection, Step } from './steps.ts';

const imagePatch = (image: string): string =>
  `kubectl patch msts web --type='json' -p='[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"${image}"}]'`;
const seedImagePatch = `kubectl patch statefulset mysql --type='json' -p='[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"mysql:5.7.23"}]'`;

/** The opening every section that works without -n shares: its namespace, made the context's. */
function namespaceSteps(id: string, withContext: boolean): Step[] {
  const steps: Step[] = [
    { kind: 'command', command: `kubectl create namespace walkthrough-${id}`, why: 'each section works in a namespace of its own, deleted afterwards' },
  ];
  if (withContext) {
    steps.push({
      kind: 'command',
      command: `kubectl config set-context --current --namespace=walkthrough-${id}`,
      why: "so the commands below read like the note's, without -n",
    });
  }
  return steps;
}

/** examples/web-statefulset.yaml with storage of its own, as 000 and 001 start. */
function webStatefulSet(id: string): Step[] {
  return [
    ...namespaceSteps(id, true),
    {
      kind: 'command',
      command: 'kubectl apply -f web-pvs.yaml',
      why: "storage for the web StatefulSet's three claims, pre-bound to them",
      settle: (s) => s.volumesAvailable([0, 1, 2].map((i) => `walkthrough-${id}-www-web-${i}`)),
    },
    {
      kind: 'command',
      command: 'kubectl apply -f web-statefulset.yaml',
      why: "the note patches a `mysql` StatefulSet it never shows; the repository's `web` example stands in",
      settle: (s) => s.statefulSet('web'),
    },
    {
      kind: 'command',
      command: imagePatch('nginx:1.9.1'),
      seed: seedImagePatch,
      why: 'our kind, msts; `web` runs nginx, so nginx:1.9.1 stands for mysql:5.7.23',
      settle: (s) => s.statefulSet('web'),
    },
  ];
}

const webFiles = [
  { name: 'web-pvs.yaml', kind: 'volumes', example: 'examples/web-pvs.yaml', claims: ['www-web-0', 'www-web-1', 'www-web-2'] },
  { name: 'web-statefulset.yaml', kind: 'copy', example: 'examples/web-statefulset.yaml' },
] as const;
const fluentdFile = { name: 'fluentd-elasticsearch.yaml', kind: 'moved', example: 'examples/fluentd-elasticsearch.yaml' } as const;
const nginxFile = { name: 'nginx-deployment.yaml', kind: 'moved', example: 'examples/nginx-deployment.yaml' } as const;

const fluentd = 'mds/fluentd-elasticsearch';

const seed000: SeedSection = {
  id: '000',
  title: '21 | 容器化守护进程的意义：DaemonSet',
  gloss: '21 | What containerised daemons are for: DaemonSet',
  intro:
    'Notes on a lecture: a StatefulSet rolls out a template change (here a JSON patch of the image) from the ' +
    'highest ordinal down, and `partition` holds part of it back; a DaemonSet runs one pod per node, its ' +
    'controller adds a nodeAffinity and tolerations to each pod, and its versions are ControllerRevisions, ' +
    'so `rollout undo --to-revision=1` makes a new revision 3 rather than going back to 1.',
  files: [...webFiles, fluentdFile],
  steps: [
    { kind: 'heading', text: 'StatefulSet 的滚动更新 (rolling update of a StatefulSet)' },
    ...webStatefulSet('000'),
    { kind: 'command', command: 'kubectl my rollout status msts/web', why: 'the rolling update is done: every pod runs the new revision' },
    { kind: 'command', command: 'kubectl get pods -L controller-revision-hash', why: 'each pod is labelled with the revision it was made from' },
    { kind: 'heading', text: 'DaemonSet 如何维护版本 (how a DaemonSet keeps its versions)' },
    {
      kind: 'command',
      command: 'kubectl apply -f fluentd-elasticsearch.yaml --record',
      why: "the note's DaemonSet; --record gives its first revision a change cause",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'command', command: 'kubectl get mds fluentd-elasticsearch', why: 'one pod per node: three kwok workers and the control-plane node' },
    {
      kind: 'command',
      command: `kubectl my set image ${fluentd} fluentd-elasticsearch=registry.k8s.io/fluentd-elasticsearch:v2.2.0 --record`,
      why: "a second revision to roll back from (the lecture's step before this note)",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'command', command: `kubectl my rollout history ${fluentd}`, why: 'two revisions' },
    {
      kind: 'command',
      command: `kubectl my rollout undo ${fluentd} --to-revision=1`,
      seed: 'kubectl rollout undo daemonset fluentd-elasticsearch --to-revision=1 -n kube-system',
      why: "kubectl rollout knows only apps/v1, the plugin's does our kinds; our namespace, not kube-system",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'command', command: `kubectl my rollout history ${fluentd}`, why: "the note's point: revision 1 came back as revision 3" },
    { kind: 'heading', text: 'ControllerRevision' },
    {
      kind: 'command',
      command: 'kubectl get controllerrevisions',
      why: "the note: a StatefulSet's versions are ControllerRevisions too (two each here)",
    },
  ],
};

const seed001: SeedSection = {
  id: '001',
  title: '容器化守护进程的意义:DaemonSet',
  gloss: 'What containerised daemons are for: DaemonSet (the lecture in full)',
  intro:
    'The full text of the lecture 000 takes notes on. Its commands are the StatefulSet image patch and the ' +
    '`partition` patch; it then says what the partition does (only ordinals at or above it take the new ' +
    'template, and a pod below it that is deleted comes back at the old version), which is replayed here. ' +
    "Its DaemonSet part explains the nodeAffinity and tolerations the controller writes into each pod; they are read off a live pod.",
  files: [...webFiles, fluentdFile],
  steps: [
    { kind: 'heading', text: 'StatefulSet 的滚动更新与 partition (rolling update and partition)' },
    ...webStatefulSet('001'),
    {
      kind: 'command',
      command: `kubectl patch msts web --type=merge -p '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'`,
      seed: `kubectl patch statefulset mysql -p '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}'`,
      why: "kubectl patch defaults to a strategic merge patch, which the API server refuses for custom resources: --type=merge",
      settle: (s) => s.statefulSet('web'),
    },
    {
      kind: 'command',
      command: imagePatch('nginx:1.16.1'),
      why: 'the next template change, which the partition holds back from web-0 and web-1',
      settle: (s) => s.statefulSet('web'),
    },
    { kind: 'command', command: 'kubectl my rollout status msts/web', why: 'done once the pods at or above the partition are updated' },
    {
      kind: 'command',
      command: 'kubectl get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image',
      why: 'only web-2 runs the new image',
    },
    { kind: 'command', command: 'kubectl delete pod web-0', why: 'the note: a pod below the partition, deleted…', settle: (s) => s.statefulSet('web') },
    {
      kind: 'command',
      command: 'kubectl get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image',
      why: '…comes back at the old version',
    },
    { kind: 'heading', text: 'DaemonSet 的 nodeAffinity 与 tolerations (what the DaemonSet controller adds to its pods)' },
    {
      kind: 'command',
      command: 'kubectl apply -f fluentd-elasticsearch.yaml',
      why: "the note's DaemonSet (shown, not applied, in the note)",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'command', command: 'kubectl get pods -l name=fluentd-elasticsearch -o wide', why: 'one pod on every node' },
    {
      kind: 'command',
      command: `kubectl get pods -l name=fluentd-elasticsearch --field-selector spec.nodeName=kwok-node-0000 -o jsonpath='{.items[0].spec.affinity}{"\\n"}'`,
      why: 'the nodeAffinity the controller wrote into the pod for kwok-node-0000: that node, by metadata.name',
    },
    {
      kind: 'command',
      command: `kubectl get pods -l name=fluentd-elasticsearch --field-selector spec.nodeName=kwok-node-0000 -o jsonpath='{range .items[0].spec.tolerations[*]}{.key}{" "}{.operator}{" "}{.effect}{"\\n"}{end}'`,
      why: "the template's toleration, then those the controller adds (node.kubernetes.io/unschedulable among them)",
    },
  ],
  notReplayed: [
    'The nodeSelector, nodeAffinity and toleration snippets are manifests without a command; the last two are read off a live pod above.',
  ],
};

const seed002: SeedSection = {
  id: '002',
  title: 'kubernetes工作负载资源DaemonSet',
  gloss: 'Kubernetes workload resources: DaemonSet',
  intro:
    'A reference note: what DaemonSets are for, a manifest, `kubectl create` and two listings across all ' +
    'namespaces. With `-A` the listings show the demo\'s own workloads too (kube-system, default, nginx), as ' +
    'they would on any cluster.',
  files: [fluentdFile],
  steps: [
    { kind: 'heading', text: '3.运行Daemonset (running the DaemonSet)' },
    ...namespaceSteps('002', false),
    {
      kind: 'command',
      command: 'kubectl create -f fluentd-elasticsearch.yaml',
      seed: 'kubectl create -f Daemonset.yaml',
      why: "the note's manifest is the repository's example (its image aside), moved out of kube-system",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'heading', text: '4.验证运行情况 (checking it runs)' },
    { kind: 'command', command: 'kubectl get mds -A', seed: 'kubectl get Daemonset -A', why: 'our kind, MyDaemonSet (short name mds)' },
    { kind: 'command', command: 'kubectl get pod -A' },
  ],
  notReplayed: ['Sections 5–8 (required fields, pod template, selector, talking to daemon pods) have no commands.'],
};

const nginx = 'mdeploy/nginx-deployment';
const settleNginx = (s: Settle): Promise<void> => s.deployment('nginx-deployment');
const pluginWhy = 'the plugin, as kubectl rollout and kubectl set know only apps/v1';

const seed003: SeedSection = {
  id: '003',
  title: '控制器-详解',
  gloss: 'Controllers in detail',
  intro:
    'A long tutorial on controllers. Its Deployment chapter is one flow: create, update with `--record`, ' +
    'update to a mistyped image and watch the rollout stall, read the history, roll back, scale, autoscale, ' +
    'pause, change, resume. The StatefulSet chapter has no commands; the DaemonSet chapter applies one manifest. ' +
    'The mistyped image `nginx:1.91` becomes `nginx:1.91-notready`: kwok pulls no image, so a typo would run ' +
    'fine, while an image whose name contains `notready` runs but never turns Ready — the stall the note shows.',
  files: [nginxFile, fluentdFile],
  steps: [
    { kind: 'heading', text: '1.2 创建 Deployment (creating a Deployment)' },
    ...namespaceSteps('003', true),
    {
      kind: 'command',
      command: 'kubectl apply -f nginx-deployment.yaml --record',
      seed: 'kubectl apply -f https://k8s.io/examples/controllers/nginx-deployment.yaml --record',
      why: "the same Deployment as the repository's MyDeployment example",
      settle: settleNginx,
    },
    { kind: 'command', command: 'kubectl get mdeploy', seed: 'kubectl get deployments', why: 'our kind, MyDeployment (short name mdeploy)' },
    { kind: 'command', command: `kubectl my rollout status ${nginx}`, seed: 'kubectl rollout status deployment.v1.apps/nginx-deployment', why: pluginWhy },
    { kind: 'command', command: 'kubectl get mrs', seed: 'kubectl get rs', why: 'our kind, MyReplicaSet (short name mrs)' },
    { kind: 'command', command: 'kubectl get pods --show-labels' },
    { kind: 'heading', text: '1.3 更新 Deployment (updating a Deployment)' },
    {
      kind: 'command',
      command: `kubectl my set image ${nginx} nginx=nginx:1.9.1 --record`,
      seed: 'kubectl --record deployment.apps/nginx-deployment set image deployment.v1.apps/nginx-deployment nginx=nginx:1.9.1',
      why: `the seed's words are out of order (kubectl rejects them); ${pluginWhy}`,
      settle: settleNginx,
    },
    { kind: 'command', command: `kubectl my rollout status ${nginx}`, seed: 'kubectl rollout status deployment.v1.apps/nginx-deployment', why: pluginWhy },
    { kind: 'heading', text: '1.4.1 模拟更新错误 (a mistyped image)' },
    {
      kind: 'command',
      command: `kubectl my set image ${nginx} nginx=nginx:1.91-notready --record=true`,
      seed: 'kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.91 --record=true',
      why: 'kwok pulls nothing: an image named *notready* stands for one that never comes up',
      settle: settleNginx,
    },
    {
      kind: 'command',
      command: `kubectl my rollout status ${nginx} --watch=false`,
      seed: 'kubectl rollout status deployment.v1.apps/nginx-deployment',
      why: 'watching would wait for the 600 s progress deadline; --watch=false prints where it stands',
    },
    { kind: 'command', command: 'kubectl get mrs', seed: 'kubectl get rs', why: 'our kind' },
    { kind: 'command', command: 'kubectl get pods' },
    { kind: 'command', command: 'kubectl describe mdeploy', seed: 'kubectl describe deployment', why: 'our kind (kubectl prints its fields generically)' },
    { kind: 'heading', text: '1.4.2 检查更新历史 (the rollout history)' },
    { kind: 'command', command: `kubectl my rollout history ${nginx}`, seed: 'kubectl rollout history deployment.v1.apps/nginx-deployment', why: pluginWhy },
    {
      kind: 'command',
      command: `kubectl my rollout history ${nginx} --revision=2`,
      seed: 'kubectl rollout history deployment.v1.apps/nginx-deployment --revision=2',
      why: pluginWhy,
    },
    { kind: 'heading', text: '1.4.3 回滚到前一个版本 (rolling back)' },
    {
      kind: 'command',
      command: `kubectl my rollout undo ${nginx}`,
      seed: 'kubectl rollout undo deployment.v1.apps/nginx-deploymen',
      why: `the seed misspells the name; ${pluginWhy}`,
      settle: settleNginx,
    },
    {
      kind: 'command',
      command: `kubectl my rollout undo ${nginx} --to-revision=2`,
      seed: 'kubectl rollout undo deployment.v1.apps/nginx-deployment --to-revision=2',
      why: 'fails as upstream does: the undo just above turned revision 2 into revision 4',
      exitCode: 1,
    },
    { kind: 'command', command: `kubectl my rollout history ${nginx}`, why: 'shows why: revision 2 is revision 4 now' },
    { kind: 'command', command: 'kubectl get mdeploy nginx-deployment', seed: 'kubectl get deployment nginx-deployment', why: 'our kind' },
    { kind: 'command', command: 'kubectl describe mdeploy nginx-deployment', seed: 'kubectl describe deployment nginx-deployment', why: 'our kind' },
    { kind: 'heading', text: '1.5.1 指定伸缩 (scaling)' },
    {
      kind: 'command',
      command: `kubectl scale ${nginx} --replicas=10`,
      seed: 'kubectl scale deployment.v1.apps/nginx-deployment --replicas=10',
      why: 'our kind (it has the scale subresource)',
      settle: settleNginx,
    },
    {
      kind: 'command',
      command: `kubectl autoscale ${nginx} --min=10 --max=15 --cpu-percent=80`,
      seed: 'kubectl autoscale deployment.v1.apps/nginx-deployment --min=10 --max=15 --cpu-percent=80',
      why: 'our kind; the demo cluster has no metrics server, so the autoscaler only keeps 10–15',
      settle: settleNginx,
    },
    { kind: 'heading', text: '1.6 暂停和继续 Deployment (pausing and resuming)' },
    { kind: 'command', command: `kubectl my rollout pause ${nginx}`, seed: 'kubectl rollout pause deployment.v1.apps/nginx-deployment', why: pluginWhy, settle: settleNginx },
    {
      kind: 'command',
      command: `kubectl my set image ${nginx} nginx=nginx:1.16.1`,
      seed: 'kubectl set image deployment.v1.apps/nginx-deployment nginx=nginx:1.9.1',
      why: `the undo above already runs nginx:1.9.1, so a new image shows the pause; ${pluginWhy}`,
      settle: settleNginx,
    },
    {
      kind: 'command',
      command: `kubectl my set resources ${nginx} -c=nginx --limits=cpu=200m,memory=512Mi`,
      seed: 'kubectl set resources deployment.v1.apps/nginx-deployment -c=nginx --limits=cpu=200m,memory=512Mi',
      why: pluginWhy,
      settle: settleNginx,
    },
    { kind: 'command', command: 'kubectl get mrs', why: 'paused: no new MyReplicaSet yet' },
    { kind: 'command', command: 'kubectl describe mdeploy nginx-deployment', seed: 'kubectl describe deployment nginx-deployment', why: 'our kind' },
    { kind: 'command', command: `kubectl my rollout resume ${nginx}`, seed: 'kubectl rollout resume deployment.v1.apps/nginx-deployment', why: pluginWhy, settle: settleNginx },
    { kind: 'heading', text: '1.7 查看 Deployment 的状态 (the rollout status)' },
    { kind: 'command', command: `kubectl my rollout status ${nginx}`, seed: 'kubectl rollout status deployment.v1.apps/nginx-deployment', why: pluginWhy },
    { kind: 'heading', text: 'CHANGE-CAUSE (1.4.2: setting it by annotation)' },
    {
      kind: 'command',
      command: `kubectl annotate ${nginx} kubernetes.io/change-cause="image updated to 1.16.1" --overwrite`,
      seed: 'kubectl annotate deployment.v1.apps/nginx-deployment kubernetes.io/change-cause="image updated to 1.9.1"',
      why: 'this revision rolled out 1.16.1; --overwrite, as the cause of the undo is still there',
      settle: (s) => s.changeCause('nginx-deployment', 'image updated to 1.16.1'),
    },
    { kind: 'command', command: `kubectl my rollout history ${nginx}`, why: 'revision 5 with the annotated cause' },
    { kind: 'heading', text: '3.1 创建 DaemonSet (creating a DaemonSet)' },
    {
      kind: 'command',
      command: 'kubectl apply -f fluentd-elasticsearch.yaml',
      seed: 'kubectl apply -f ./daemonset.yaml',
      why: "the note's manifest is the repository's example (its image aside)",
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    { kind: 'command', command: 'kubectl get mds', why: 'one pod per node' },
  ],
  notReplayed: [
    '`kubectl edit deployment.v1.apps/nginx-deployment` (1.3) opens an editor; `kubectl my set image` above makes the same change.',
    'The StatefulSet chapter (2.x) and 1.5.2, 1.8, 1.9 have no commands.',
  ],
};

const taintNode = 'kwok-node-0000';
const ns004 = '-n walkthrough-004';

const seed004: SeedSection = {
  id: '004',
  title: '守护进程 DaemonSet',
  gloss: 'Daemon processes: DaemonSet',
  intro:
    'A short note: the DaemonSet manifest, two `get` commands, then how to keep pods off nodes: nodeAffinity, ' +
    'and taints with the tolerations that let a pod onto a tainted node anyway. The taint goes on a kwok worker ' +
    'of the demo cluster and comes off again at the end; the toleration is replayed on the MyDaemonSet.',
  files: [fluentdFile],
  steps: [
    { kind: 'heading', text: '创建 (creating)' },
    ...namespaceSteps('004', false),
    {
      kind: 'command',
      command: 'kubectl apply -f fluentd-elasticsearch.yaml',
      why: 'the note shows the manifest (in kube-system) but not the command',
      settle: (s) => s.daemonSet('fluentd-elasticsearch'),
    },
    {
      kind: 'command',
      command: `kubectl get pod ${ns004} -l name=fluentd-elasticsearch`,
      seed: 'kubectl get pod -n kube-system -l name=fluentd-elasticsearch',
      why: 'our namespace',
    },
    {
      kind: 'command',
      command: `kubectl get mds ${ns004} fluentd-elasticsearch`,
      seed: 'kubectl get ds -n kube-system fluentd-elasticsearch',
      why: 'our kind and namespace',
    },
    { kind: 'heading', text: 'Taints & Tolerations' },
    {
      kind: 'command',
      command: `kubectl taint nodes ${taintNode} key=value:NoSchedule`,
      seed: 'kubectl taint nodes node key=value:NoSchedule',
      why: 'a kwok worker of the demo cluster',
    },
    {
      kind: 'command',
      command: `kubectl delete pod ${ns004} -l name=fluentd-elasticsearch --field-selector spec.nodeName=${taintNode}`,
      why: 'NoSchedule evicts nothing; with its pod gone, the node gets no new one',
      settle: (s) => s.daemonSet('fluentd-elasticsearch', 3),
    },
    { kind: 'command', command: `kubectl get mds ${ns004} fluentd-elasticsearch`, why: 'three nodes wanted now' },
    {
      kind: 'command',
      command: `kubectl patch mds fluentd-elasticsearch ${ns004} --type=json -p='[{"op": "add", "path": "/spec/template/spec/tolerations/-", "value": {"key": "key", "operator": "Equal", "value": "value", "effect": "NoSchedule"}}]'`,
      why: "the note's pod-taints toleration, added to the MyDaemonSet's pod template",
      settle: (s) => s.daemonSet('fluentd-elasticsearch', 4),
    },
    { kind: 'command', command: `kubectl get pods ${ns004} -l name=fluentd-elasticsearch -o wide`, why: `tolerated: a pod on ${taintNode} again` },
    {
      kind: 'command',
      command: `kubectl taint nodes ${taintNode} key:NoSchedule-`,
      seed: 'kubectl taint nodes node key:NoSchedule-',
      why: 'the same node, untainted again',
      settle: (s) => s.daemonSet('fluentd-elasticsearch', 4),
    },
  ],
  notReplayed: ['The `with-node-affinity` and `pod-taints` Pods are manifests without a command; the toleration is replayed on the MyDaemonSet instead.'],
};

export const seedSections: readonly SeedSection[] = [seed000, seed001, seed002, seed003, seed004];

/** The node the walkthrough taints (seed 004) and the taint, for the cleanup that must remove it whatever happens. */
export const taint = { node: taintNode, key: 'key', effect: 'NoSchedule' } as const;
