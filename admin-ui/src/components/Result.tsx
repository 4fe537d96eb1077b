import { Result as AntResult, type ResultProps } from 'antd';

/** antd's Result drops data-* attributes; this one keeps the test id on a wrapper. */
export function Result({ 'data-testid': testId, ...props }: ResultProps & { 'data-testid'?: string }) {
  return testId ? (
    <div data-testid={testId}>
      <AntResult {...props} />
    </div>
  ) : (
    <AntResult {...props} />
  );
}
