// The create-VM wizard: a stepper in a dialog (wizard-frame.tsx). Opens on a node with the next free VMID and that node's
// storages and ISO images; Create calls vm.create and the task panel shows the task.
import { useEffect, useState } from 'react';
import { UiError } from '../../app-error';
import { useT } from '../../i18n/use-t';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/store';
import { createVm, loadStorageChoices, nextVmid } from './actions';
import { emptyWizard, toCreateParams, validateStep, wizardSteps, type WizardValues } from './vm-form';
import { WizardFrame } from './wizard-frame';
import { WizardStepFields, type WizardSources } from './wizard-steps';

export function CreateVmWizard({ nodeKey, onClose }: { nodeKey: string; onClose: () => void }) {
  const t = useT();
  const nodeKeys = useAppStore(useShallow((s) => Object.keys(s.nodes).filter((k) => s.nodes[k]?.state === 'online')));
  const nodeNames = useAppStore(useShallow((s) => nodeKeys.map((k) => s.nodes[k]?.name ?? k)));
  const [values, setValues] = useState<WizardValues>(() => emptyWizard(nodeKey, undefined, ''));
  const [sources, setSources] = useState<Omit<WizardSources, 'nodes'>>({ storages: [], isos: [] });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UiError | null>(null);

  // A node's VMID suggestion and its storages: reloaded when the node changes, kept what was typed otherwise.
  useEffect(() => {
    let cancelled = false;
    const node = values.node;
    void Promise.all([nextVmid(node), loadStorageChoices(node)])
      .then(([vmid, choices]) => {
        if (cancelled) return;
        const images = choices.storages.find((s) => s.content.includes('images'))?.id ?? '';
        setSources(choices);
        setValues((v) => ({
          ...v,
          vmid: v.vmid === '' ? String(vmid) : v.vmid,
          iso: choices.isos.includes(v.iso) ? v.iso : '',
          disks: v.disks.map((d) => (choices.storages.some((s) => s.id === d.storage) ? d : { ...d, storage: images, format: '' })),
          cloudinit: { ...v.cloudinit, storage: v.cloudinit.storage === '' ? images : v.cloudinit.storage },
        }));
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
      await createVm(values.node, toCreateParams(values));
      onClose();
    } catch (error) {
      setFailure(UiError.from(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <WizardFrame
      title={t('vmForm.title')}
      steps={wizardSteps}
      stepLabel={(s) => t(`vmForm.step.${s}`)}
      validate={(s) => validateStep(s, values)}
      testId="vm-wizard"
      submitLabel={t('vmForm.create')}
      nextLabel={t('vmForm.next')}
      busy={busy}
      failure={failure}
      onSubmit={() => void submit()}
      onClose={onClose}
    >
      {(step, showErrors) => (
        <WizardStepFields
          step={step}
          values={values}
          errors={showErrors ? validateStep(step, values) : {}}
          sources={{ ...sources, nodes: nodeKeys.map((key, i) => ({ key, name: nodeNames[i] ?? key })) }}
          onChange={setValues}
        />
      )}
    </WizardFrame>
  );
}
