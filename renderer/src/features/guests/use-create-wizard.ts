// The state behind a create-guest wizard (VM or CT): the values, a node's next free id and storage choices
// (reloaded when the node changes, keeping the picks that still exist there), the online nodes to pick from, and
// the create call with its busy flag and failure shown in the wizard frame.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { UiError } from '../../app-error';
import { useAppStore } from '../../store/store';
import { nextVmid } from '../vms/actions';

export interface CreateWizardSpec<Values extends { node: string }, Sources> {
  initial: () => Values;
  noSources: Sources;
  loadSources: (nodeKey: string) => Promise<Sources>;
  /** The values on the node just loaded: the suggested id where none was typed, missing picks replaced. */
  adopt: (values: Values, sources: Sources, vmid: number) => Values;
  create: (values: Values) => Promise<unknown>;
  onClose: () => void;
}

export interface CreateWizardState<Values, Sources> {
  values: Values;
  setValues: (values: Values) => void;
  sources: Sources;
  nodes: { key: string; name: string }[];
  busy: boolean;
  failure: UiError | null;
  submit: () => void;
}

export function useCreateWizard<Values extends { node: string }, Sources>(
  spec: CreateWizardSpec<Values, Sources>,
): CreateWizardState<Values, Sources> {
  const nodeKeys = useAppStore(useShallow((s) => Object.keys(s.nodes).filter((k) => s.nodes[k]?.state === 'online')));
  const nodeNames = useAppStore(useShallow((s) => nodeKeys.map((k) => s.nodes[k]?.name ?? k)));
  const [values, setValues] = useState<Values>(spec.initial);
  const [sources, setSources] = useState<Sources>(spec.noSources);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);
  // The loaders are module functions: the first render's are kept so that a new arrow does not reload the node.
  const [{ loadSources, adopt }] = useState(() => ({ loadSources: spec.loadSources, adopt: spec.adopt }));

  const node = values.node;
  useEffect(() => {
    let cancelled = false;
    void Promise.all([nextVmid(node), loadSources(node)])
      .then(([vmid, choices]) => {
        if (cancelled) return;
        setSources(choices);
        setValues((v) => adopt(v, choices, vmid));
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(UiError.from(error));
      });
    return () => {
      cancelled = true;
    };
  }, [node, loadSources, adopt]);

  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await spec.create(values);
      spec.onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };

  return {
    values,
    setValues,
    sources,
    nodes: nodeKeys.map((key, i) => ({ key, name: nodeNames[i] ?? key })),
    busy,
    failure,
    submit: () => void submit(),
  };
}
