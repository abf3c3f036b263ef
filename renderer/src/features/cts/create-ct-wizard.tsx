// The create-CT wizard (PVE's Create CT): the shared wizard frame over ct-form.ts. Opens on a node with the next
// free id (containers share the VMID space), that node's template storages and root-disk storages.
import { useT } from '../../i18n/use-t';
import { useCreateWizard } from '../guests/use-create-wizard';
import { WizardFrame } from '../vms/wizard-frame';
import { createCt, loadCtStorageChoices, type CtStorageChoices } from './actions';
import { ctWizardSteps, emptyCtWizard, toCtCreateParams, validateCtStep, type CtWizardValues } from './ct-form';
import { CtWizardStepFields } from './ct-wizard-steps';

const NO_SOURCES: CtStorageChoices = { templateStores: [], diskStores: [], templates: {} };

/** A node's id suggestion and storages; picks kept where they still exist on it. */
function adopt(v: CtWizardValues, choices: CtStorageChoices, vmid: number): CtWizardValues {
  const templateStorage =
    choices.templates[v.templateStorage] !== undefined ? v.templateStorage : (choices.templateStores[0]?.id ?? '');
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
}

export function CreateCtWizard({ nodeKey, onClose }: { nodeKey: string; onClose: () => void }) {
  const t = useT();
  const wizard = useCreateWizard<CtWizardValues, CtStorageChoices>({
    initial: () => emptyCtWizard(nodeKey, undefined),
    noSources: NO_SOURCES,
    loadSources: loadCtStorageChoices,
    adopt,
    create: (values) => createCt(values.node, toCtCreateParams(values)),
    onClose,
  });
  const { values } = wizard;

  return (
    <WizardFrame
      title={t('ctForm.title')}
      steps={ctWizardSteps}
      stepLabel={(s) => t(`ctForm.step.${s}`)}
      validate={(s) => validateCtStep(s, values)}
      testId="ct-wizard"
      submitLabel={t('vmForm.create')}
      nextLabel={t('vmForm.next')}
      busy={wizard.busy}
      failure={wizard.failure}
      onSubmit={wizard.submit}
      onClose={onClose}
    >
      {(step, showErrors) => (
        <CtWizardStepFields
          step={step}
          values={values}
          errors={showErrors ? validateCtStep(step, values) : {}}
          sources={{ ...wizard.sources, nodes: wizard.nodes }}
          onChange={wizard.setValues}
        />
      )}
    </WizardFrame>
  );
}
