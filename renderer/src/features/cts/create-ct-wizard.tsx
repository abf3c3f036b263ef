// The create-CT wizard (PVE's Create CT): the shared wizard frame over ct-form.ts. Opens on a node with the next
// free id (containers share the VMID space), that node's template storages and root-disk storages.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { useAppStore } from '../../store/store';
import { nextVmid } from '../vms/actions';
import { WizardFrame } from '../vms/wizard-frame';
import { createCt, loadCtStorageChoices } from './actions';
import { ctWizardSteps, emptyCtWizard, toCtCreateParams, validateCtStep, type CtWizardValues } from './ct-form';
import { CtWizardStepFields, type CtWizardSources } from './ct-wizard-steps';

export function CreateCtWizard({ nodeKey, onClose }: { nodeKey: string; onClose: () => void }) {
  const t = useT();
  const nodeKeys = useAppStore(useShallow((s) => Object.keys(s.nodes).filter((k) => s.nodes[k]?.state === 'online')));
  const nodeNames = useAppStore(useShallow((s) => nodeKeys.map((k) => s.nodes[k]?.name ?? k)));
  const [values, setValues] = useState<CtWizardValues>(() => emptyCtWizard(nodeKey, undefined));
  const [sources, setSources] = useState<Omit<CtWizardSources, 'nodes'>>({
    templateStores: [],
    diskStores: [],
    templates: {},
  });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);

  // A node's id suggestion and storages: reloaded when the node changes; picks kept where they still exist.
  useEffect(() => {
    let cancelled = false;
    const node = values.node;
    void Promise.all([nextVmid(node), loadCtStorageChoices(node)])
      .then(([vmid, choices]) => {
        if (cancelled) return;
        setSources(choices);
        setValues((v) => {
          const templateStorage =
            choices.templates[v.templateStorage] !== undefined
              ? v.templateStorage
              : (choices.templateStores[0]?.id ?? '');
          const list = choices.templates[templateStorage] ?? [];
          return {
            ...v,
            vmid: v.vmid === '' ? String(vmid) : v.vmid,
            templateStorage,
            ostemplate: list.includes(v.ostemplate) ? v.ostemplate : '',
            diskStorage: choices.diskStores.some((s) => s.id === v.diskStorage)
              ? v.diskStorage
              : (choices.diskStores[0]?.id ?? ''),
          };
        });
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(UiError.from(error));
      });
    return () => {
      cancelled = true;
    };
  }, [values.node]);

  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await createCt(values.node, toCtCreateParams(values));
      onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <WizardFrame
      title={t('ctForm.title')}
      steps={ctWizardSteps}
      stepLabel={(s) => t(`ctForm.step.${s}`)}
      validate={(s) => validateCtStep(s, values)}
      testId="ct-wizard"
      submitLabel={t('vmForm.create')}
      nextLabel={t('vmForm.next')}
      busy={busy}
      failure={failure}
      onSubmit={() => void submit()}
      onClose={onClose}
    >
      {(step, showErrors) => (
        <CtWizardStepFields
          step={step}
          values={values}
          errors={showErrors ? validateCtStep(step, values) : {}}
          sources={{ ...sources, nodes: nodeKeys.map((key, i) => ({ key, name: nodeNames[i] ?? key })) }}
          onChange={setValues}
        />
      )}
    </WizardFrame>
  );
}
