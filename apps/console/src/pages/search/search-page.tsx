import { Title } from '@mantine/core';
import { ServiceBanner } from '../../components/service-banner';

export default function SearchPage() {
  return (
    <>
      <ServiceBanner services={['query', 'catalog']} />
      <Title order={2}>Search</Title>
    </>
  );
}
