// `Pod Template:` as `kubectl rollout history KIND/NAME --revision N` prints it, byte for byte:
// labels, annotations, service account, init containers, containers, volumes, topology spread
// constraints, priority class, node selectors, tolerations and scheduling group, tabs included
// (that command writes through no tabwriter). Pure: template in, text out.
// upstream: kubectl pkg/describe/describe.go DescribePodTemplate, describeTopologySpreadConstraints,
// describeSchedulingGroup; pkg/polymorphichelpers/history.go printTemplate.
import { isRecord, type LabelSelectorRequirement } from '../../api/meta.ts';
import { selectorToString } from '../../api/selector.ts';
import { describeContainers } from './containers.ts';
import { compareGoStrings } from './go-format.ts';
import { goSortSlice } from './go-sort.ts';
import { integer, items, object, struct, text, textMap, texts, type Json } from './json-fields.ts';
import { printAnnotationsMultiline, printLabelsMultiline, printTolerationsMultiline } from './multiline.ts';
import { LEVEL_0, LEVEL_1, StringPrefixWriter, type PrefixWriter } from './prefix-writer.ts';
import { describeVolumes } from './volumes.ts';

/** The operators LabelSelectorAsSelector accepts, and whether each needs values (else it fails). */
const operators: ReadonlyMap<string, { readonly operator: LabelSelectorRequirement['operator']; readonly withValues: boolean }> = new Map([
  ['In', { operator: 'In', withValues: true }],
  ['NotIn', { operator: 'NotIn', withValues: true }],
  ['Exists', { operator: 'Exists', withValues: false }],
  ['DoesNotExist', { operator: 'DoesNotExist', withValues: false }],
]);

/** metav1.FormatLabelSelector: the selector's string, `<none>` when it selects everything, `<error>` when invalid. */
function formatLabelSelector(selector: Json): string {
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const req of items(selector, 'matchExpressions')) {
    const known = operators.get(text(req, 'operator'));
    const values = texts(req, 'values');
    if (known === undefined || known.withValues !== values.length > 0) return '<error>';
    matchExpressions.push({ key: text(req, 'key'), operator: known.operator, values });
  }
  const formatted = selectorToString({ matchLabels: Object.fromEntries(textMap(selector, 'matchLabels')), matchExpressions });
  return formatted.length === 0 ? '<none>' : formatted;
}

/** `Topology Spread Constraints:\tzone:DoNotSchedule when max skew 1 is exceeded for selector app=web`, by topology key. */
function describeTopologySpreadConstraints(constraints: readonly Json[], w: PrefixWriter, space: string): void {
  if (constraints.length === 0) return;
  const sorted = goSortSlice(constraints, (a, b) => compareGoStrings(text(a, 'topologyKey'), text(b, 'topologyKey')) < 0);
  w.write(LEVEL_0, `${space}Topology Spread Constraints:\t`);
  sorted.forEach((constraint, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, space);
      w.write(LEVEL_0, '\t');
    }
    w.write(LEVEL_0, `${text(constraint, 'topologyKey')}:`);
    w.write(LEVEL_0, text(constraint, 'whenUnsatisfiable'));
    w.write(LEVEL_0, ` when max skew ${integer(constraint, 'maxSkew')} is exceeded`);
    const selector = object(constraint, 'labelSelector');
    if (selector) w.write(LEVEL_0, ` for selector ${formatLabelSelector(selector)}`);
    w.write(LEVEL_0, '\n');
  });
}

/**
 * DescribePodTemplate written into a plain buffer, as printTemplate does. Every field is read as
 * JSON off the wire (the declared type covers few of them); no template is the zero template.
 */
export function describePodTemplate(template: unknown): string {
  const w = new StringPrefixWriter();
  const root = isRecord(template) ? template : undefined;
  const metadata = struct(root, 'metadata');
  const spec = struct(root, 'spec');
  w.write(LEVEL_0, 'Pod Template:\n');
  printLabelsMultiline(w, '  Labels', textMap(metadata, 'labels'));
  const annotations = textMap(metadata, 'annotations');
  if (annotations.size > 0) printAnnotationsMultiline(w, '  Annotations', annotations);
  const serviceAccountName = text(spec, 'serviceAccountName');
  if (serviceAccountName.length > 0) w.write(LEVEL_1, `Service Account:\t${serviceAccountName}\n`);
  const initContainers = items(spec, 'initContainers');
  if (initContainers.length > 0) describeContainers('Init Containers', initContainers, w, '  ');
  describeContainers('Containers', items(spec, 'containers'), w, '  ');
  describeVolumes(items(spec, 'volumes'), w, '  ');
  describeTopologySpreadConstraints(items(spec, 'topologySpreadConstraints'), w, '  ');
  const priorityClassName = text(spec, 'priorityClassName');
  if (priorityClassName.length > 0) w.write(LEVEL_1, `Priority Class Name:\t${priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', textMap(spec, 'nodeSelector'));
  printTolerationsMultiline(w, '  Tolerations', items(spec, 'tolerations'));
  const schedulingGroup = object(spec, 'schedulingGroup');
  if (schedulingGroup) {
    w.write(LEVEL_0, '  SchedulingGroup:\n');
    // kubectl dereferences podGroupName unchecked.
    w.write(LEVEL_1, `PodGroupName:\t${text(schedulingGroup, 'podGroupName')}\n`);
  }
  return w.toString();
}
