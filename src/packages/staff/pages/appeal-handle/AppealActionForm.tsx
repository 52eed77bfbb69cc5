// The small form behind each staff button on the handle page: only the fields that move needs
// (server/appeals/schemas.ts: AcceptBody, RejectBody, ...), checked here first so a handler on a
// phone learns at once what is missing, then sent by the page.
import { useMemo, useState } from 'react';
import { Button, Picker, Text, Textarea, View } from '@tarojs/components';
import type { AppealDetail, AppealSummary, Category, Department, MoveBodies } from '../../../../api/types';
import { confidenceLabel, useCategorySuggestions } from '../../../../components/CategorySuggestions';
import { hasFailedUploads, hasPendingUploads, PhotoPicker, uploadedRefs, type PickedPhoto } from '../../../../components/PhotoPicker';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, REASON_MAX, REASON_MIN } from '../../../../utils/appeal';
import { STAFF_ACTION_LABELS, type StaffAction } from '../../shared';
import { AppealMergeTarget } from './AppealMergeTarget';
import './AppealActionForm.scss';

type MoveAction = Exclude<StaffAction, 'review'>;
/** What the page sends: a move and its body, typed together. */
export type ActionSubmission = { [K in MoveAction]: { action: K; body: MoveBodies[K] } }[MoveAction] | { action: 'review'; body: { note?: string } };

const NOTE_MAX = 500;
const ANSWER_MIN = DESCRIPTION_MIN;
const ANSWER_MAX = DESCRIPTION_MAX;

const NEEDS_REASON: readonly StaffAction[] = ['reject', 'return', 'transfer'];
const NEEDS_DEPARTMENT: readonly StaffAction[] = ['assign', 'transfer'];
const TAKES_NOTE: readonly StaffAction[] = ['accept', 'assign', 'start', 'merge', 'review'];
/** Channels where staff filed the appeal with the category they chose (代报, 热线代录): not a resident's guess. */
const STAFF_FILED: readonly AppealDetail['channel'][] = ['grid_worker', 'hotline'];

const REASON_PROMPTS: Partial<Record<StaffAction, string>> = {
  reject: '不予受理的原因（将告知反映人）',
  return: '退回原因（如：不属于本部门职责）',
  transfer: '改派原因',
};

const SUBMIT_LABELS: Record<StaffAction, string> = {
  accept: '确认受理',
  reject: '确认不予受理',
  merge: '确认合并',
  assign: '确认派单',
  return: '确认退回',
  transfer: '确认改派',
  start: '开始办理',
  reply: '提交答复',
  review: '确认复核',
};

export interface AppealActionFormProps {
  action: StaffAction;
  appeal: AppealDetail;
  /** null while loading. */
  departments: Department[] | null;
  categories: Category[] | null;
  listsError: string;
  onRetryLists: () => void;
  busy: boolean;
  onSubmit: (s: ActionSubmission) => void;
  onCancel: () => void;
}

export function AppealActionForm({ action, appeal, departments, categories, listsError, onRetryLists, busy, onSubmit, onCancel }: AppealActionFormProps) {
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState('');
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [mergeInto, setMergeInto] = useState<AppealSummary | null>(null);
  const [categoryIndex, setCategoryIndex] = useState(0); // 0: keep the category as it is
  const [chosenDepartment, setChosenDepartment] = useState<string | null>(null);
  const [error, setError] = useState('');

  // A transfer goes to another unit; the category's default unit is the first suggestion for 派单.
  const departmentChoices = useMemo(
    () => (departments ?? []).filter((d) => d.active && !(action === 'transfer' && d.id === appeal.departmentId)),
    [departments, action, appeal.departmentId],
  );
  const activeCategories = (categories ?? []).filter((c) => c.active);
  const chosenCategory = categoryIndex > 0 ? activeCategories[categoryIndex - 1] : undefined;
  // The unit the catalogue names for the category as the form has it now (the one chosen here, else the appeal's).
  const suggested = action === 'assign' ? categories?.find((c) => c.id === (chosenCategory?.id ?? appeal.categoryId))?.defaultDepartmentId ?? null : null;
  const departmentId = chosenDepartment ?? (suggested && departmentChoices.some((d) => d.id === suggested) ? suggested : null);
  const departmentName = departmentChoices.find((d) => d.id === departmentId)?.name ?? null;

  // 系统建议 (智能分类) where the category is not staff's yet: none, or the resident's own choice. The
  // live answer for the text, else the one the server kept at filing (the bot's intake).
  const wantsSuggestion = (action === 'accept' && (!appeal.categoryId || !STAFF_FILED.includes(appeal.channel))) || (action === 'assign' && !appeal.categoryId);
  const live = useCategorySuggestions(appeal.description, { enabled: wantsSuggestion, delayMs: 0, limit: 1 });
  const top = !wantsSuggestion ? null : live[0] ? { id: live[0].id, name: live[0].name, score: live[0].score } : appeal.suggestion ? { id: appeal.suggestion.categoryId, name: appeal.suggestion.categoryName, score: appeal.suggestion.score } : null;
  const topIndex = top ? activeCategories.findIndex((c) => c.id === top.id) : -1;
  const formCategoryId = chosenCategory?.id ?? appeal.categoryId;
  // Accept may always correct the category; assign names one only for an appeal accepted without any
  // (AssignBody takes it), since an accepted category is already staff's word.
  const takesCategory = action === 'accept' || (action === 'assign' && !appeal.categoryId);

  const submit = () => {
    setError('');
    const trimmedNote = note.trim();
    const noteField = trimmedNote ? { note: trimmedNote } : {};
    const trimmedReason = reason.trim();
    if (NEEDS_REASON.includes(action) && trimmedReason.length < REASON_MIN) return setError(`请填写${action === 'reject' ? '不予受理' : action === 'return' ? '退回' : '改派'}原因（至少${REASON_MIN}个字）`);
    if (NEEDS_DEPARTMENT.includes(action) && !departmentId) return setError('请选择承办部门');
    switch (action) {
      case 'accept': {
        const category = categoryIndex > 0 ? activeCategories[categoryIndex - 1] : undefined;
        return onSubmit({ action, body: { ...noteField, ...(category && category.id !== appeal.categoryId ? { categoryId: category.id } : {}) } });
      }
      case 'reject':
        return onSubmit({ action, body: { reason: trimmedReason } });
      case 'return':
        return onSubmit({ action, body: { reason: trimmedReason } });
      case 'transfer':
        return onSubmit({ action, body: { departmentId: departmentId!, reason: trimmedReason } });
      case 'assign':
        return onSubmit({ action, body: { departmentId: departmentId!, ...noteField, ...(chosenCategory && chosenCategory.id !== appeal.categoryId ? { categoryId: chosenCategory.id } : {}) } });
      case 'merge':
        if (!mergeInto) return setError('请选择要合并到的诉求');
        return onSubmit({ action, body: { intoId: mergeInto.id, ...noteField } });
      case 'start':
        return onSubmit({ action, body: noteField });
      case 'review':
        return onSubmit({ action, body: noteField });
      case 'reply': {
        const text = answer.trim();
        if (text.length < ANSWER_MIN) return setError(`请填写答复内容（至少${ANSWER_MIN}个字）`);
        if (hasPendingUploads(photos)) return setError('照片还在上传，请稍候');
        if (hasFailedUploads(photos)) return setError('有照片上传失败：点击照片重试，或删除后再提交');
        return onSubmit({ action, body: { answer: text, photoIds: uploadedRefs(photos).map((p) => p.id) } });
      }
    }
  };

  const needsLists = NEEDS_DEPARTMENT.includes(action) || action === 'accept';

  const suggestion = top ? (
    <View className='appeal-form__suggestion'>
      <Text className='appeal-form__suggestion-text'>{`系统建议：${top.name}（置信度 ${confidenceLabel(top.score)}）`}</Text>
      {formCategoryId === top.id ? (
        <Text className='appeal-form__hint'>{chosenCategory ? '已采用，确认后提交' : '与当前类别一致'}</Text>
      ) : topIndex >= 0 ? (
        // Into the form only: the dispatcher still confirms (or changes it) with the submit button.
        <Button className='btn btn--secondary appeal-form__suggestion-take' disabled={busy} onClick={() => setCategoryIndex(topIndex + 1)}>
          采用建议
        </Button>
      ) : null}
    </View>
  ) : null;

  return (
    <View className='appeal-form'>
      <Text className='appeal-form__title'>{STAFF_ACTION_LABELS[action]}</Text>

      {needsLists && listsError ? (
        <View>
          <Text className='appeal-form__error'>部门和类别加载失败：{listsError}</Text>
          <Button className='btn btn--secondary' onClick={onRetryLists}>
            重试
          </Button>
        </View>
      ) : null}

      {NEEDS_DEPARTMENT.includes(action) ? (
        <View className='appeal-form__field'>
          <Text className='appeal-form__label'>承办部门</Text>
          {departments === null && !listsError ? <Text className='appeal-form__hint'>部门加载中…</Text> : null}
          {departments !== null ? (
            <Picker
              mode='selector'
              range={departmentChoices.map((d) => d.name)}
              value={Math.max(0, departmentChoices.findIndex((d) => d.id === departmentId))}
              onChange={(e) => setChosenDepartment(departmentChoices[Number(e.detail.value)]?.id ?? null)}
            >
              <View className={`appeal-form__picker${departmentName ? '' : ' appeal-form__picker--empty'}`}>{departmentName ?? '请选择承办部门'} ▾</View>
            </Picker>
          ) : null}
          {action === 'assign' && suggested && departmentId === suggested ? <Text className='appeal-form__hint'>已按派单目录预选该类别的承办部门</Text> : null}
        </View>
      ) : null}

      {takesCategory && categories !== null ? (
        <View className='appeal-form__field'>
          <Text className='appeal-form__label'>诉求类别（可修改）</Text>
          {suggestion}
          <Picker mode='selector' range={['保持不变', ...activeCategories.map((c) => c.name)]} value={categoryIndex} onChange={(e) => setCategoryIndex(Number(e.detail.value))}>
            <View className='appeal-form__picker'>{categoryIndex > 0 ? activeCategories[categoryIndex - 1]?.name : `保持不变（${appeal.categoryName ?? '未分类'}）`} ▾</View>
          </Picker>
        </View>
      ) : null}

      {action === 'merge' ? <AppealMergeTarget appeal={appeal} value={mergeInto} onChange={setMergeInto} /> : null}

      {NEEDS_REASON.includes(action) ? (
        <View className='appeal-form__field'>
          <Text className='appeal-form__label'>{REASON_PROMPTS[action]}</Text>
          <Textarea className='appeal-form__textarea' value={reason} maxlength={REASON_MAX} placeholder='请填写原因' onInput={(e) => setReason(e.detail.value)} />
          <Text className='appeal-form__count'>{`${reason.trim().length}/${REASON_MAX}`}</Text>
        </View>
      ) : null}

      {action === 'reply' ? (
        <View className='appeal-form__field'>
          <Text className='appeal-form__label'>答复内容（反映人可见）</Text>
          <Textarea
            className='appeal-form__textarea appeal-form__textarea--tall'
            value={answer}
            maxlength={ANSWER_MAX}
            placeholder='办理结果、依据和后续安排'
            onInput={(e) => setAnswer(e.detail.value)}
          />
          <Text className='appeal-form__count'>{`${answer.trim().length}/${ANSWER_MAX}`}</Text>
          <Text className='appeal-form__label'>现场照片（可选）</Text>
          <PhotoPicker photos={photos} onChange={setPhotos} disabled={busy} />
        </View>
      ) : null}

      {TAKES_NOTE.includes(action) ? (
        <View className='appeal-form__field'>
          <Text className='appeal-form__label'>备注（可选，记入办理记录）</Text>
          <Textarea className='appeal-form__textarea' value={note} maxlength={NOTE_MAX} placeholder='可不填' onInput={(e) => setNote(e.detail.value)} />
        </View>
      ) : null}

      {error ? <Text className='appeal-form__error'>{error}</Text> : null}
      <View className='appeal-form__buttons'>
        <Button className='btn btn--secondary appeal-form__cancel' disabled={busy} onClick={onCancel}>
          取消
        </Button>
        <Button className='btn btn--primary appeal-form__submit' disabled={busy} onClick={submit}>
          {busy ? '提交中…' : SUBMIT_LABELS[action]}
        </Button>
      </View>
    </View>
  );
}
