// The business-hours editor: off/on, intervals per weekday (with the overnight hint
// and the server's checks on the client), copying Monday, holidays with special hours,
// a value that goes back exactly as it came, and a server error's field marked.
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, Button, ConfigProvider, Form } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import i18n from '../../i18n';
import type { BusinessHours } from '../../api/routing';
import zh from '../../i18n/locales/zh-CN';
import { fill, findFieldError } from '../../test/utils';
import { checkHours, cleanHours, kindOfPath, parseClock, problemText, serverProblemText, hoursRule } from './hours';
import { HoursEditor } from './HoursEditor';

const t = i18n.getFixedT('zh-CN');

const HOURS: NonNullable<BusinessHours> = {
  time_zone: 'Asia/Shanghai',
  weekly: {
    mon: [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ],
    fri: [{ start: '22:00', end: '06:00' }],
  },
  holidays: [
    { date: '2026-10-01', name: 'National Day' },
    { date: '2026-10-10', intervals: [{ start: '09:00', end: '17:00' }] },
  ],
};

/** The editor in a form, as the pages use it; submit reports the cleaned value. */
function Harness({ initial, onSubmit, error = null }: { initial: BusinessHours; onSubmit: (v: BusinessHours) => void; error?: string | null }) {
  const [form] = Form.useForm<{ hours: BusinessHours }>();
  const [shown, setShown] = useState<BusinessHours>(initial);
  return (
    <ConfigProvider locale={zhCN} wave={{ disabled: true }} theme={{ token: { motion: false }, hashed: false }}>
      <AntApp>
        <Form form={form} initialValues={{ hours: initial }} onFinish={(v) => onSubmit(cleanHours(v.hours))} onValuesChange={(_, all) => setShown(all.hours)}>
          <Form.Item name="hours" rules={[hoursRule(t)]}>
            <HoursEditor testId="h" kind="tenant" error={error} defaultTimeZone="Europe/Berlin" />
          </Form.Item>
          <Button htmlType="submit" data-testid="submit">
            save
          </Button>
          <pre data-testid="shown">{JSON.stringify(shown)}</pre>
        </Form>
      </AntApp>
    </ConfigProvider>
  );
}

function setup(initial: BusinessHours, error: string | null = null) {
  const submitted: BusinessHours[] = [];
  render(<Harness initial={initial} onSubmit={(v) => submitted.push(v)} error={error} />);
  return { user: userEvent.setup(), submitted };
}

describe('hours helpers', () => {
  it('reads times like the server', () => {
    expect(parseClock('09:00')).toBe(540);
    expect(parseClock('9:05')).toBe(545);
    expect(parseClock('24:00')).toBe(1440);
    for (const bad of ['24:01', '9', '12:60', 'ab:cd', '', '123:00']) expect(parseClock(bad), bad).toBeNull();
  });

  it('finds the problems the server would, at the same paths', () => {
    expect(checkHours(HOURS)).toEqual([]);
    expect(checkHours(null)).toEqual([]);
    const bad: BusinessHours = {
      time_zone: '',
      weekly: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '13:00' },
        ],
        tue: [{ start: '24:00', end: '10:00' }],
        wed: [{ start: '10:00', end: '10:00' }],
        thu: Array.from({ length: 9 }, (_, i) => ({ start: `${String(i).padStart(2, '0')}:00`, end: `${String(i).padStart(2, '0')}:30` })),
      },
      holidays: [{ date: '2026-02-30' }, { date: '2026-10-01' }, { date: '2026-10-01', name: 'x'.repeat(101), intervals: [{ start: '9', end: '10:00' }] }],
    };
    expect(checkHours(bad)).toEqual([
      { path: 'time_zone', kind: 'zone' },
      { path: 'weekly.mon[1]', kind: 'overlap' },
      { path: 'weekly.tue[0].start', kind: 'start' },
      { path: 'weekly.wed[0].end', kind: 'same' },
      { path: 'weekly.thu', kind: 'tooManyIntervals' },
      { path: 'holidays[0].date', kind: 'date' },
      { path: 'holidays[2].date', kind: 'dateTwice' },
      { path: 'holidays[2].name', kind: 'name' },
      { path: 'holidays[2].intervals[0].start', kind: 'start' },
    ]);
    // An interval past midnight does not overlap the one before it.
    expect(checkHours({ time_zone: 'UTC', weekly: { fri: [{ start: '09:00', end: '18:00' }, { start: '22:00', end: '06:00' }] } })).toEqual([]);
  });

  it('names the place of a server error', () => {
    expect(kindOfPath('weekly.mon[1]')).toBe('overlap');
    expect(kindOfPath('weekly.mon')).toBe('tooManyIntervals');
    expect(kindOfPath('holidays[2].intervals[0].end')).toBe('end');
    expect(serverProblemText(t, 'weekly.mon[0].start')).toBe(
      zh.hours.problemAt.replace('{{place}}', zh.hours.place.interval.replace('{{day}}', zh.hours.days.mon).replace('{{n}}', '1')).replace('{{problem}}', zh.hours.problems.start),
    );
    expect(serverProblemText(t, 'holidays[1].date', HOURS)).toContain(zh.hours.place.holidayDated.replace('{{n}}', '2').replace('{{date}}', '2026-10-10'));
    expect(problemText(t, { path: 'time_zone', kind: 'zone' })).toBe(zh.hours.problems.zone);
  });

  it('cleans a value without changing an untouched one', () => {
    expect(cleanHours(HOURS)).toEqual(HOURS);
    expect(cleanHours(null)).toBeNull();
    expect(cleanHours({ time_zone: ' UTC ', weekly: { mon: [], tue: [{ start: ' 9:00', end: '18:00 ' }] }, holidays: [{ date: '2026-01-01', name: ' ', intervals: [] }] })).toEqual({
      time_zone: 'UTC',
      weekly: { tue: [{ start: '9:00', end: '18:00' }] },
      holidays: [{ date: '2026-01-01' }],
    });
  });
});

describe('hours editor', { timeout: 60_000 }, () => {
  it('round-trips a schedule it did not change', async () => {
    const { user, submitted } = setup(HOURS);
    expect(screen.getByTestId('h')).toHaveAttribute('data-open', 'true');
    expect(screen.getByTestId('h-mon-start-0')).toHaveValue('09:00');
    expect(screen.getByTestId('h-mon-end-1')).toHaveValue('18:00');
    expect(screen.getByTestId('h-tue-closed')).toBeInTheDocument();
    // Friday 22:00–06:00 runs into Saturday.
    expect(screen.getByTestId('h-fri-overnight-0')).toHaveTextContent(zh.hours.overnight);
    expect(screen.queryByTestId('h-mon-overnight-0')).toBeNull();
    expect(screen.getByTestId('h-holiday-name-0')).toHaveValue('National Day');
    expect(screen.getByTestId('h-holiday-open-0')).not.toBeChecked();
    expect(screen.getByTestId('h-holiday-open-1')).toBeChecked();
    expect(screen.getByTestId('h-holiday-1-end-0')).toHaveValue('17:00');
    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]).toEqual(HOURS);
  });

  it('switches between always open and a schedule in the default zone', async () => {
    const { user, submitted } = setup(null);
    expect(screen.getByTestId('h')).toHaveAttribute('data-open', 'false');
    expect(screen.getByTestId('h-off')).toHaveTextContent(zh.hours.alwaysOpen);
    await user.click(screen.getByTestId('h-enabled'));
    expect(await screen.findByTestId('h-mon-start-0')).toHaveValue('09:00');
    expect(screen.getByTestId('h-sat-closed')).toBeInTheDocument();
    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    const d = [{ start: '09:00', end: '18:00' }];
    expect(submitted[0]).toEqual({ time_zone: 'Europe/Berlin', weekly: { mon: d, tue: d, wed: d, thu: d, fri: d } });
    // Off again: null (always open).
    await user.click(screen.getByTestId('h-enabled'));
    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(submitted).toHaveLength(2));
    expect(submitted[1]).toBeNull();
  });

  it('adds and removes intervals, checks HH:MM, and copies Monday to the weekdays', async () => {
    const { user, submitted } = setup({ time_zone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '12:00' }] } });
    // A second Monday interval, typed badly first.
    await user.click(screen.getByTestId('h-mon-add'));
    const start = await screen.findByTestId('h-mon-start-1');
    await fill(user, start, '1330');
    await fill(user, screen.getByTestId('h-mon-end-1'), '18:00');
    await user.click(screen.getByTestId('submit'));
    const place = zh.hours.place.interval.replace('{{day}}', zh.hours.days.mon).replace('{{n}}', '2');
    await findFieldError('h-mon-start-1', zh.hours.problemAt.replace('{{place}}', place).replace('{{problem}}', zh.hours.problems.start));
    expect(start).toHaveClass('ant-input-status-error');
    expect(submitted).toHaveLength(0);

    await fill(user, start, '13:30');
    // An overlap with the first interval is refused too.
    await fill(user, screen.getByTestId('h-mon-start-0'), '09:00');
    await fill(user, screen.getByTestId('h-mon-end-0'), '14:00');
    await findFieldError('h-mon-start-1', zh.hours.problemAt.replace('{{place}}', place).replace('{{problem}}', zh.hours.problems.overlap));
    await fill(user, screen.getByTestId('h-mon-end-0'), '12:00');

    // Friday night into Saturday: the hint says so.
    await user.click(screen.getByTestId('h-fri-add'));
    await fill(user, await screen.findByTestId('h-fri-start-0'), '20:00');
    await fill(user, screen.getByTestId('h-fri-end-0'), '02:00');
    expect(await screen.findByTestId('h-fri-overnight-0')).toBeInTheDocument();

    // Copy Monday to Tuesday–Friday (Friday's night interval is replaced).
    await user.click(screen.getByTestId('h-copy-mon'));
    expect(await screen.findByTestId('h-thu-start-1')).toHaveValue('13:30');
    expect(screen.queryByTestId('h-fri-overnight-0')).toBeNull();
    // Saturday and Sunday stay closed; removing Wednesday's second interval.
    expect(screen.getByTestId('h-sat-closed')).toBeInTheDocument();
    await user.click(screen.getByTestId('h-wed-remove-1'));
    await waitFor(() => expect(screen.queryByTestId('h-wed-start-1')).toBeNull());

    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    const two = [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '18:00' },
    ];
    expect(submitted[0]).toEqual({ time_zone: 'Asia/Shanghai', weekly: { mon: two, tue: two, wed: two.slice(0, 1), thu: two, fri: two } });
  });

  it('stops adding at 8 intervals a day', async () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ start: `${String(i * 2).padStart(2, '0')}:00`, end: `${String(i * 2 + 1).padStart(2, '0')}:00` }));
    setup({ time_zone: 'UTC', weekly: { mon: eight } });
    expect(screen.getByTestId('h-mon-add')).toBeDisabled();
    expect(screen.getByTestId('h-tue-add')).toBeEnabled();
  });

  it('adds holidays, closed or with special hours, and checks their dates', async () => {
    const { user, submitted } = setup({ time_zone: 'Asia/Shanghai', weekly: {} });
    expect(screen.getByTestId('h-holidays-empty')).toBeInTheDocument();
    await user.click(screen.getByTestId('h-holiday-add'));
    const date0 = await screen.findByTestId('h-holiday-date-0');
    await fill(user, date0, '2026-10-01');
    await fill(user, screen.getByTestId('h-holiday-name-0'), 'National Day');

    // A make-up working day: open with special hours.
    await user.click(screen.getByTestId('h-holiday-add'));
    await fill(user, await screen.findByTestId('h-holiday-date-1'), '2026-10-01');
    await user.click(screen.getByTestId('h-holiday-open-1'));
    expect(await screen.findByTestId('h-holiday-1-start-0')).toHaveValue('09:00');
    await fill(user, screen.getByTestId('h-holiday-1-end-0'), '17:00');
    await user.click(screen.getByTestId('submit'));
    // The same date twice.
    const place = zh.hours.place.holidayDated.replace('{{n}}', '2').replace('{{date}}', '2026-10-01');
    await findFieldError('h-holiday-date-1', zh.hours.problemAt.replace('{{place}}', place).replace('{{problem}}', zh.hours.problems.dateTwice));
    await fill(user, screen.getByTestId('h-holiday-date-1'), '2026-10-11');

    // A third one added and removed again.
    await user.click(screen.getByTestId('h-holiday-add'));
    await user.click(await screen.findByTestId('h-holiday-remove-2'));
    await waitFor(() => expect(screen.queryByTestId('h-holiday-2')).toBeNull());

    await user.click(screen.getByTestId('submit'));
    await waitFor(() => expect(submitted).toHaveLength(1));
    expect(submitted[0]).toEqual({
      time_zone: 'Asia/Shanghai',
      weekly: {},
      holidays: [
        { date: '2026-10-01', name: 'National Day' },
        { date: '2026-10-11', intervals: [{ start: '09:00', end: '17:00' }] },
      ],
    });
    // Unticking "open" makes it closed all day again (no intervals).
    await user.click(screen.getByTestId('h-holiday-open-1'));
    await waitFor(() => expect(screen.queryByTestId('h-holiday-1-start-0')).toBeNull());
    expect(JSON.parse(screen.getByTestId('shown').textContent!).holidays[1]).toEqual({ date: '2026-10-11' });
  });

  it('marks the input a server error names', () => {
    setup(HOURS, 'holidays[1].intervals[0].end');
    expect(screen.getByTestId('h-holiday-1-end-0')).toHaveClass('ant-input-status-error');
    expect(screen.getByTestId('h-holiday-1-start-0')).not.toHaveClass('ant-input-status-error');
    expect(within(screen.getByTestId('h-day-mon')).getByTestId('h-mon-start-0')).not.toHaveClass('ant-input-status-error');
  });
});
