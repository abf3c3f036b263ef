// The create-VM wizard: a stepper in a dialog (wizard-frame.tsx). Opens on a node with the next free VMID and that node's
// storages and ISO images; Create calls vm.create and the task panel shows the task.
import { useT } from '../../i18n/use-t';
import { useCreateWizard } from '../guests/use-create-wizard';
import { createVm, loadStorageChoices } from './actions';
import { emptyWizard, toCreateParams, validateStep, wizardSteps, type WizardValues } from './vm-form';
import { WizardFrame } from './wizard-frame';
import { WizardStepFields, type WizardSources } from './wizard-steps';

type Sources = Omit<WizardSources, 'nodes'>;

const NO_SOURCES: Sources = { storages: [], isos: [] };

/** A node's VMID suggestion and its storages; what was typed is kept, picks missing on this node replaced. */
function adopt(v: WizardValues, choices: Sources, vmid: number): WizardValues {
  const images = choices.storages.find((s) => s.content.includes('images'))?.id ?? '';
  return {
    ...v,
    vmid: v.vmid === '' ? String(vmid) : v.vmid,
    iso: choices.isos.includes(v.iso) ? v.iso : '',
    disks: v.disks.map((d) => (choices.storages.some((s) => s.id === d.storage) ? d : { ...d, storage: images, format: '' })),
    cloudinit: { ...v.cloudinit, storage: v.cloudinit.storage === '' ? images : v.cloudinit.storage },
  };
}

export function CreateVmWizard({ nodeKey, onClose }: { nodeKey: string; onClose: () => void }) {
  const t = useT();
  const wizard = useCreateWizard<WizardValues, Sources>({
    initial: () => emptyWizard(nodeKey, undefined, ''),
    noSources: NO_SOURCES,
    loadSources: loadStorageChoices,
    adopt,
    create: (values) => createVm(values.node, toCreateParams(values)),
    onClose,
  });
  const { values } = wizard;

  return (
    <WizardFrame
      title={t('vmForm.title')}
      steps={wizardSteps}
      stepLabel={(s) => t(`vmForm.step.${s}`)}
      validate={(s) => validateStep(s, values)}
      testId="vm-wizard"
      submitLabel={t('vmForm.create')}
      nextLabel={t('vmForm.next')}
      busy={wizard.busy}
      failure={wizard.failure}
      onSubmit={wizard.submit}
      onClose={onClose}
    >
      {(step, showErrors) => (
        <WizardStepFields
          step={step}
          values={values}
          errors={showErrors ? validateStep(step, values) : {}}
          sources={{ ...wizard.sources, nodes: wizard.nodes }}
          onChange={wizard.setValues}
        />
      )}
    </WizardFrame>
  );
}
